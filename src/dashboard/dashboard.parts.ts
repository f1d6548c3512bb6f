import type { Provider, Type } from '@nestjs/common';
import { DashboardAuthGuard } from './dashboard-auth.guard';
import { DashboardStore } from './dashboard-store';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';
import { QueueDepthSampler } from './queue-depth-sampler';

/** The ops dashboard at /admin. */
export const dashboardProviders: Provider[] = [
  DashboardStore,
  DashboardService,
  DashboardAuthGuard,
  QueueDepthSampler,
];
/** Served by api processes (the sampler runs there too). */
export const dashboardControllers: Type[] = [DashboardController];
