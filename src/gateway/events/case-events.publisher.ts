import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';

export const CASE_STATUS_CHANGED = 'case.status_changed';

export interface CaseStatusChanged {
  caseId: string;
  externalId: string;
  source: string;
  serviceCode: string;
  status: string;
  previousStatus: string | null;
  at: string;
}

/** Emits case events on the microservice transport; a failed emit is logged, never fails the caller. */
export class CaseEventsPublisher {
  private readonly logger = new Logger(CaseEventsPublisher.name);

  constructor(private readonly client: ClientProxy | undefined) {}

  statusChanged(event: CaseStatusChanged): void {
    if (!this.client) return;
    this.client.emit(CASE_STATUS_CHANGED, event).subscribe({
      error: (error: Error) =>
        this.logger.warn(`could not emit ${CASE_STATUS_CHANGED} for ${event.caseId}: ${error.message}`),
    });
  }
}
