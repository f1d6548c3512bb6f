import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PersonalDataCipher } from '../../common/crypto/personal-data-cipher';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import { PullOfferStore } from '../../adapters/pull/pull-offer-store';
import { DeliveryStore } from '../../delivery/delivery-store';
import { DELIVERY_RUNTIMES } from '../../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../../delivery/department-runtime';
import { StatusChangeNotifier } from '../../delivery/status-change-notifier';
import { DeliveryStatus } from '../../lifecycle/delivery-status';
import type { ApiClient } from '../auth/api-client';
import { RequireScopes } from '../auth/scopes.decorator';

interface AckBody {
  /** ACCEPTED (the department has it) or REJECTED (it refuses it, with a reason). */
  status?: string;
  reference?: string;
  reason?: string;
}

/** The pull side of the adapter SDK: a department fetches its deliveries and acknowledges each one. */
@ApiTags('departments')
@ApiBearerAuth()
@Controller('departments/:code/outbox')
@RequireScopes('outbox:pull')
export class DepartmentOutboxController {
  constructor(
    private readonly offers: PullOfferStore,
    private readonly deliveries: DeliveryStore,
    private readonly notifier: StatusChangeNotifier,
    private readonly cipher: PersonalDataCipher,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Lease up to `limit` pending deliveries, mapped into the department format' })
  async fetch(
    @Param('code') code: string,
    @Query('limit') limit: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const department = this.pullDepartment(code, request.client!);
    const max = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(max) || max < 1 || max > 500) {
      throw ProblemException.invalid(
        [{ pointer: '/limit', reason: 'must be an integer from 1 to 500' }],
        'Invalid limit.',
      );
    }
    const leaseSeconds = Number(
      (department.config.adapter.options as { leaseSeconds?: number }).leaseSeconds ?? 300,
    );
    const offers = await this.offers.lease(code, max, leaseSeconds);
    return {
      leaseSeconds,
      deliveries: offers.map((o) => ({
        deliveryId: o.deliveryId,
        offeredAt: o.offeredAt.toISOString(),
        message: JSON.parse(this.cipher.decrypt(o.message)) as unknown,
      })),
    };
  }

  @Post(':deliveryId/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge a delivery with the department receipt, or reject it; idempotent' })
  async ack(
    @Param('code') code: string,
    @Param('deliveryId') deliveryId: string,
    @Body() body: AckBody | undefined,
    @Req() request: FastifyRequest,
  ) {
    this.pullDepartment(code, request.client!);
    const errors: FieldError[] = [];
    if (body?.status !== 'ACCEPTED' && body?.status !== 'REJECTED')
      errors.push({ pointer: '/status', reason: 'must be ACCEPTED or REJECTED' });
    if (body?.status === 'REJECTED' && !body.reason)
      errors.push({ pointer: '/reason', reason: 'a rejection needs a reason' });
    if (errors.length > 0) throw ProblemException.invalid(errors, 'The acknowledgement is not valid.');

    const work = await this.deliveries.load(deliveryId);
    if (!work || work.department !== code || !(await this.offers.acknowledge(code, deliveryId))) {
      throw ProblemException.notFound(`No delivery ${deliveryId} was offered to ${code}.`);
    }
    const accepted = body!.status === 'ACCEPTED';
    const { applied, caseChange } = await this.deliveries.transition(
      work,
      accepted
        ? {
            status: DeliveryStatus.Delivered,
            receiptRef: body!.reference ?? null,
            deliveredAt: new Date(),
            lastError: null,
          }
        : { status: DeliveryStatus.Rejected, lastError: body!.reason ?? null },
      accepted
        ? {
            type: 'DELIVERY_DELIVERED',
            detail: { department: code, reference: body!.reference ?? null, via: 'pull' },
          }
        : { type: 'DELIVERY_REJECTED', detail: { department: code, reason: body!.reason, via: 'pull' } },
      [DeliveryStatus.AwaitingPickup],
    );
    if (caseChange) this.notifier.caseStatusChanged(work, caseChange);
    const current = applied
      ? accepted
        ? DeliveryStatus.Delivered
        : DeliveryStatus.Rejected
      : (await this.deliveries.load(deliveryId))!.status;
    return { deliveryId, status: current };
  }

  private pullDepartment(code: string, client: ApiClient): DepartmentRuntime {
    const department = this.departments.get(code);
    if (!department || department.config.adapter.type !== 'pull')
      throw ProblemException.notFound(`No pull department ${code}.`);
    if (!client.scopes.has('admin') && client.source !== code) {
      throw ProblemException.forbidden(`This API key pulls for ${client.source}, not ${code}.`);
    }
    return department;
  }
}
