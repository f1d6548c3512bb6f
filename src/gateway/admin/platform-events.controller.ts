import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import {
  PlatformEventStore,
  type PlatformEventRow,
  type PlatformEventStatusValue,
} from '../../notifications/platform-event-store';
import { PlatformEventStatus } from '../../notifications/platform-event-writer';
import { WebhookQueue } from '../../notifications/webhook-queue';
import { RequireScopes } from '../auth/scopes.decorator';

const STATUSES: readonly string[] = Object.values(PlatformEventStatus);
const ID = /^[1-9]\d{0,18}$/;

interface ListQuery {
  status?: string;
  caseId?: string;
  source?: string;
  afterId?: string;
  limit?: string;
}

@ApiTags('platform-events')
@ApiBearerAuth()
@Controller('admin/platform-events')
@RequireScopes('admin')
export class PlatformEventsController {
  constructor(
    private readonly store: PlatformEventStore,
    private readonly queue: WebhookQueue,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Webhooks and resident notices, e.g. the dead letters (?status=DEAD_LETTERED)' })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'caseId', required: false })
  @ApiQuery({ name: 'source', required: false })
  @ApiQuery({ name: 'afterId', required: false, description: 'Paging: the last id of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  async list(@Query() query: ListQuery) {
    const errors: FieldError[] = [];
    if (query.status !== undefined && !STATUSES.includes(query.status))
      errors.push({ pointer: '/status', reason: `must be one of ${STATUSES.join(', ')}` });
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      errors.push({ pointer: '/limit', reason: 'must be an integer from 1 to 500' });
    if (query.afterId !== undefined && !ID.test(query.afterId))
      errors.push({ pointer: '/afterId', reason: 'must be an event id' });
    if (errors.length > 0) throw ProblemException.invalid(errors, 'The query parameters are not valid.');
    const events = await this.store.list({
      status: query.status as PlatformEventStatusValue | undefined,
      caseId: query.caseId,
      source: query.source,
      afterId: query.afterId,
      limit,
    });
    return {
      items: events.map(view),
      nextAfterId: events.length === limit ? events[events.length - 1].id : null,
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a dead-lettered webhook or notice again (back to PENDING, audited)' })
  async replay(@Param('id') id: string, @Req() request: FastifyRequest) {
    if (!ID.test(id)) throw ProblemException.notFound(`No platform event ${id}.`);
    const event = await this.store.replay(id, request.client!.name);
    await this.queue.restart(event.caseId);
    return view(event);
  }
}

/** The payload holds no personal data: the phone of a notice is only read from the case when sent. */
function view(event: PlatformEventRow) {
  return {
    id: event.id,
    caseId: event.caseId,
    source: event.source,
    type: event.type,
    status: event.status,
    attempts: event.attempts,
    nextAttemptAt: event.nextAttemptAt?.toISOString() ?? null,
    lastError: event.lastError,
    createdAt: event.createdAt.toISOString(),
    sentAt: event.sentAt?.toISOString() ?? null,
    payload: JSON.parse(event.payload) as unknown,
  };
}
