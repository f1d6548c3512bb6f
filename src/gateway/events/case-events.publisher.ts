import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';

export const CASE_STATUS_CHANGED = 'case.status_changed';
export const CASE_OVERDUE = 'case.overdue';

export interface CaseStatusChanged {
  caseId: string;
  externalId: string;
  source: string;
  serviceCode: string;
  status: string;
  previousStatus: string | null;
  at: string;
}

/** An open case passed its due time (the promised handling time) without a final result. */
export interface CaseOverdue {
  caseId: string;
  externalId: string;
  source: string;
  serviceCode: string;
  status: string;
  dueAt: string;
  overdueAt: string;
}

/** Emits case events on the microservice transport; a failed emit is logged, never fails the caller. */
export class CaseEventsPublisher {
  private readonly logger = new Logger(CaseEventsPublisher.name);

  constructor(private readonly client: ClientProxy | undefined) {}

  statusChanged(event: CaseStatusChanged): void {
    this.emit(CASE_STATUS_CHANGED, event);
  }

  overdue(event: CaseOverdue): void {
    this.emit(CASE_OVERDUE, event);
  }

  private emit(pattern: string, event: { caseId: string }): void {
    if (!this.client) return;
    this.client.emit(pattern, event).subscribe({
      error: (error: Error) =>
        this.logger.warn(`could not emit ${pattern} for ${event.caseId}: ${error.message}`),
    });
  }
}
