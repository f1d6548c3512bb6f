import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { PersonalDataCipher } from '../../common/crypto/personal-data-cipher';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import { verifyEvidenceChain } from '../../delivery/evidence-chain';
import { ReplayService } from '../../delivery/replay.service';
import { DeliveryStatus } from '../../lifecycle/delivery-status';
import { RequireScopes } from '../auth/scopes.decorator';

interface BulkReplayBody {
  department?: string;
  status?: string;
  from?: string;
  to?: string;
  dryRun?: boolean;
}

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('deliveries')
@RequireScopes('admin')
export class DeliveriesController {
  constructor(
    private readonly replays: ReplayService,
    private readonly db: DataSource,
    private readonly cipher: PersonalDataCipher,
  ) {}

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay a dead-lettered (or rejected) delivery with the same idempotency key' })
  async replay(@Param('id') id: string, @Req() request: FastifyRequest) {
    return this.replays.replay(id, request.client!.name);
  }

  @Post('replay')
  @ApiOperation({ summary: 'Bulk replay by department / status / time range; dryRun counts only' })
  async replayMany(@Body() body: BulkReplayBody | undefined, @Req() request: FastifyRequest) {
    const errors: FieldError[] = [];
    const status = body?.status;
    const replayable: string[] = [DeliveryStatus.DeadLettered, DeliveryStatus.Rejected];
    if (status !== undefined && !replayable.includes(status)) {
      errors.push({ pointer: '/status', reason: 'must be DEAD_LETTERED or REJECTED' });
    }
    const from = body?.from ? new Date(body.from) : undefined;
    const to = body?.to ? new Date(body.to) : undefined;
    if (from && Number.isNaN(from.getTime()))
      errors.push({ pointer: '/from', reason: 'must be an ISO 8601 date-time' });
    if (to && Number.isNaN(to.getTime()))
      errors.push({ pointer: '/to', reason: 'must be an ISO 8601 date-time' });
    if (errors.length > 0) throw ProblemException.invalid(errors, 'The replay filter is not valid.');
    return this.replays.replayMany(
      {
        department: body?.department,
        status: status as DeliveryStatus.DeadLettered | undefined,
        from,
        to,
        dryRun: body?.dryRun === true,
      },
      request.client!.name,
    );
  }

  @Get(':id/attempts')
  @ApiOperation({ summary: 'Every attempt of a delivery' })
  async attempts(@Param('id') id: string) {
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT attempt, started_at, duration_ms, outcome, error_class, http_status, fault_code, reason, excerpt
         FROM delivery_attempts WHERE delivery_id = ? ORDER BY id`,
      [id],
    );
    return rows.map((r) => ({
      attempt: Number(r.attempt),
      startedAt: (r.started_at as Date).toISOString(),
      durationMs: Number(r.duration_ms),
      outcome: r.outcome,
      errorClass: r.error_class,
      httpStatus: r.http_status === null ? null : Number(r.http_status),
      faultCode: r.fault_code,
      reason: r.reason,
      excerpt: r.excerpt,
    }));
  }

  @Get(':id/evidence')
  @ApiOperation({ summary: 'The tamper-evident chain of what was sent and received (办理痕迹), verified' })
  async evidence(@Param('id') id: string) {
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT attempt, started_at, outcome, sent_hash, received_hash, prev_hash, record_hash
         FROM delivery_attempts WHERE delivery_id = ? ORDER BY id`,
      [id],
    );
    if (rows.length === 0) {
      const [exists] = await this.db.query<Array<{ id: string }>>('SELECT id FROM deliveries WHERE id = ?', [
        id,
      ]);
      if (!exists) throw ProblemException.notFound(`No delivery ${id}.`);
    }
    const records = rows.map((r) => ({
      deliveryId: id,
      attempt: Number(r.attempt),
      startedAt: r.started_at as Date,
      outcome: r.outcome as string,
      sentHash: (r.sent_hash as string | null) ?? null,
      receivedHash: (r.received_hash as string | null) ?? null,
      prevHash: (r.prev_hash as string | null) ?? null,
      recordHash: r.record_hash as string,
    }));
    const verification = verifyEvidenceChain(records, (data) => this.cipher.digest(data));
    return {
      deliveryId: id,
      algorithm: this.cipher.profile === 'national' ? 'SM3' : 'SHA-256',
      ...verification,
      records: records.map((r) => ({ ...r, startedAt: r.startedAt.toISOString() })),
    };
  }
}
