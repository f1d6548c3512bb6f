import { Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problem/problem';
import { ReplayService } from '../delivery/replay.service';
import { Public } from '../gateway/auth/scopes.decorator';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { DAY_RANGES, type DashboardOverview, type DayRange } from './dashboard-overview';
import { DashboardService } from './dashboard.service';
import { renderDashboardPage } from './view/dashboard-page';
import { DASHBOARD_SCRIPT } from './view/dashboard-script';
import { DASHBOARD_ICON, DASHBOARD_STYLE } from './view/dashboard-style';

/** Own script and stylesheet only, no framing (the Replay button must not be clickjacked). */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The ops dashboard at /admin (outside the /api/v1 prefix, next to Bull Board at /admin/queues),
 * for integrators and the city. The global guard reads Bearer keys only, so this controller is
 * `@Public()` to it and checks the `admin` key itself, Basic auth included.
 */
@ApiExcludeController()
@Public()
@UseGuards(DashboardAuthGuard)
@Controller('admin')
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly replays: ReplayService,
  ) {}

  @Get()
  async page(@Query('days') days: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const overview = await this.dashboard.overview(dayRange(days));
    void reply.headers(PAGE_HEADERS);
    return renderDashboardPage(overview);
  }

  @Get('api/overview')
  @Header('cache-control', 'no-store')
  async overview(@Query('days') days: string | undefined): Promise<DashboardOverview> {
    return this.dashboard.overview(dayRange(days));
  }

  /** The same replay as `POST /api/v1/deliveries/{id}/replay`, audited with the admin key's name. */
  @Post('api/deliveries/:id/replay')
  @HttpCode(202)
  async replay(@Param('id') id: string, @Req() request: FastifyRequest) {
    return this.replays.replay(id, request.client!.name);
  }

  @Get('assets/dashboard.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  script(): string {
    return DASHBOARD_SCRIPT;
  }

  @Get('assets/dashboard.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  style(): string {
    return DASHBOARD_STYLE;
  }

  @Get('assets/icon.svg')
  @Header('content-type', 'image/svg+xml')
  @Header('x-content-type-options', 'nosniff')
  icon(): string {
    return DASHBOARD_ICON;
  }
}

function dayRange(days: string | undefined): DayRange {
  if (days === undefined) return DAY_RANGES[0];
  const range = DAY_RANGES.find((d) => String(d) === days);
  if (!range)
    throw ProblemException.invalid(
      [{ pointer: '/days', reason: `must be one of ${DAY_RANGES.join(', ')}` }],
      'The day range is not valid.',
    );
  return range;
}
