import { Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problem/problem';
import { IntakeProfileRegistry } from '../../mappings/intake/intake-profile';
import { RequireScopes } from '../auth/scopes.decorator';
import { CaseIntakeService } from './case-intake.service';

/**
 * Front offices that do not speak canonical JSON: a source profile normalizes their JSON or XML
 * (in its own field names and encoding, e.g. GBK) into the canonical case, which is then validated
 * and processed exactly like POST /cases.
 */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('intake')
export class IntakeProfilesController {
  constructor(
    private readonly profiles: IntakeProfileRegistry,
    private readonly intake: CaseIntakeService,
  ) {}

  @Post(':profile')
  @HttpCode(202)
  @RequireScopes('cases:write')
  @ApiOperation({ summary: 'Submit a case in a source format (config/intake/<profile>.yaml)' })
  async submit(
    @Param('profile') profile: string,
    @Headers('content-type') contentType: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!this.profiles.has(profile)) throw ProblemException.notFound(`No intake profile ${profile}.`);
    const raw = request.body;
    const body = Buffer.isBuffer(raw)
      ? raw
      : Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw ?? null));
    const normalized = await this.profiles.normalize(profile, body, contentType ?? '');
    if (!normalized.ok) {
      throw ProblemException.invalid(
        normalized.errors.map((e) => ({
          pointer: e.field === 'body' ? '' : `/${e.field.replace(/\./g, '/')}`,
          reason: e.reason,
        })),
        `The payload could not be normalized with intake profile ${profile}.`,
      );
    }
    const result = await this.intake.submit(normalized.message, request.client!, idempotencyKey);
    if (!result.created) void reply.status(200);
    return result.summary;
  }
}
