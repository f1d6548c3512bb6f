import type { Provider, Type } from '@nestjs/common';
import { DepartmentReportService } from './department-report.service';
import { PollBudget } from './poll-budget';
import { PollStore } from './poll-store';
import { ResultPickup } from './result-pickup';
import { StatusPoller } from './status-poller';
import { TrackingMetrics } from './tracking-metrics';
import { TrackingWorker } from './tracking-worker';

/** Results back from departments: callbacks, status polling and result-file pickup. */
export const trackingProviders: Provider[] = [
  DepartmentReportService,
  TrackingMetrics,
  PollStore,
  PollBudget,
  StatusPoller,
  ResultPickup,
  // Starts polling and pickup in worker processes (role worker or all) and stops them before shutdown.
  TrackingWorker,
];
/** Served by api processes. */
export const trackingControllers: Type[] = [];
