import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RequireScopes } from '../../gateway/auth/scopes.decorator';
import { parseStatsQuery, STATS_GROUPINGS, type StatsParams } from './stats-query';
import { StatsService } from './stats.service';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /** `admin` sees every source; `cases:read` only its own source's cases. No personal data in it. */
  @Get()
  @RequireScopes('cases:read')
  @ApiOperation({
    summary:
      'Counts by status, time to delivery and to final result (median, p90), on-time rate, dead letters',
  })
  @ApiQuery({ name: 'groupBy', required: true, enum: STATS_GROUPINGS })
  @ApiQuery({ name: 'from', required: false, description: 'created_at ≥ from; default 30 days before to' })
  @ApiQuery({ name: 'to', required: false, description: 'created_at < to; default now' })
  async get(@Query() params: StatsParams, @Req() request: FastifyRequest) {
    return this.stats.report(parseStatsQuery(params, request.client!));
  }
}
