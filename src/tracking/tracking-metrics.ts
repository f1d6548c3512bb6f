import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../observability/metrics-registry';

/** What came of one status call or one result-file row. */
export type TrackingOutcome =
  | 'applied'
  | 'duplicate'
  | 'illegal'
  | 'unreadable'
  | 'unknown-delivery'
  /** The department does not know the delivery (status call answered "not found"). */
  | 'not-found'
  /** The call failed or timed out; the delivery stays scheduled. */
  | 'error';

/** Prometheus series of status polling and result pickup. */
@Injectable()
export class TrackingMetrics {
  private readonly reports: Counter<'department' | 'via' | 'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.reports = new Counter({
      name: 'tongban_tracking_reports_total',
      help: 'Status calls (via=poll) and result-file rows (via=result-file), by department and outcome',
      labelNames: ['department', 'via', 'outcome'],
      registers: [registry],
    });
  }

  report(department: string, via: 'poll' | 'result-file', outcome: TrackingOutcome): void {
    this.reports.inc({ department, via, outcome });
  }
}
