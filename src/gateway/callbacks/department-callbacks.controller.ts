import type { TLSSocket } from 'node:tls';
import { Controller, HttpCode, Inject, Logger, Param, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProblemException, problemType } from '../../common/problem/problem';
import { DepartmentReportService } from '../../tracking/department-report.service';
import { Public } from '../auth/scopes.decorator';
import { CALLBACK_BODY } from './callback-body';
import { CALLBACK_DEPARTMENTS, type CallbackDepartment } from './callback-departments';
import { verifyCallback, type CallbackCredentials } from './callback-verifier';

/** The answer to an accepted callback; a repeat is `duplicate` and changes nothing. */
export interface CallbackAnswer {
  deliveryId: string;
  status: string;
  outcome: 'applied' | 'duplicate';
}

/**
 * Department → Tongban: a department's system reports the status of a case it received. No API
 * key: each department proves itself with its own configured scheme (HMAC or client certificate).
 * The body is read by the department's reverse mapping and applied through the state machine,
 * the same path as polled statuses and result files.
 */
@ApiTags('departments')
@Public()
@Controller('departments/:code/callbacks')
export class DepartmentCallbacksController {
  private readonly logger = new Logger(DepartmentCallbacksController.name);

  constructor(
    private readonly reports: DepartmentReportService,
    @Inject(CALLBACK_DEPARTMENTS) private readonly departments: ReadonlyMap<string, CallbackDepartment>,
  ) {}

  @Post()
  @HttpCode(200)
  @RouteConfig({ [CALLBACK_BODY]: true })
  @ApiOperation({
    summary: "A department reports a case's status, signed with its own scheme (not an API key)",
  })
  async receive(@Param('code') code: string, @Req() request: FastifyRequest): Promise<CallbackAnswer> {
    const department = this.departments.get(code);
    if (!department) throw ProblemException.notFound(`Department ${code} sends no status callbacks.`);
    const verdict = verifyCallback(department.auth, credentialsOf(request), Date.now());
    if (!verdict.ok) {
      this.logger.warn({ msg: 'status callback refused', department: code, reason: verdict.reason });
      throw ProblemException.unauthorized(`The callback is not authenticated: ${verdict.reason}.`);
    }
    const body = request.body;
    if (body === undefined || body === null || typeof body !== 'object') {
      throw ProblemException.invalid([{ pointer: '', reason: 'a JSON body is required' }], unreadable(code));
    }

    // The one path for callbacks, polls and result files: reverse mapping, lookup, state machine.
    const result = await this.reports.handle({ department: code, via: 'callback', raw: body });
    switch (result.kind) {
      case 'applied':
        return { deliveryId: result.deliveryId, status: result.to, outcome: 'applied' };
      case 'duplicate':
        return { deliveryId: result.deliveryId, status: result.status, outcome: 'duplicate' };
      case 'illegal':
        throw new ProblemException({
          type: problemType('illegal-status-transition'),
          title: 'Illegal status transition',
          status: 409,
          detail: `${result.reason}; kept in the case timeline as a status anomaly.`,
          deliveryId: result.deliveryId,
          currentStatus: result.from,
        });
      case 'unreadable':
        throw ProblemException.invalid(result.errors.map(toFieldError), unreadable(code));
      case 'unknown-delivery':
        throw unknownDelivery(code, result.reference ?? result.deliveryId);
    }
  }
}

function credentialsOf(request: FastifyRequest): CallbackCredentials {
  if (!request.callbackBody) throw new Error('callback route without its raw body (captureCallbackBodies)');
  const socket = request.raw.socket as Partial<TLSSocket>;
  const certificate =
    typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  return {
    body: request.callbackBody,
    header: (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    clientCertificate: certificate
      ? { authorized: socket.authorized === true, fingerprint256: certificate.fingerprint256 || undefined }
      : undefined,
  };
}

function toFieldError(error: { field: string; reason: string }) {
  return { pointer: `/${error.field.replace(/\./g, '/')}`, reason: error.reason };
}

function unreadable(code: string): string {
  return `The callback body could not be read as a ${code} status.`;
}

function unknownDelivery(code: string, key: string | undefined): ProblemException {
  return ProblemException.notFound(
    key
      ? `No delivery to ${code} has the receipt or id ${key}.`
      : `The callback names no delivery to ${code}.`,
  );
}
