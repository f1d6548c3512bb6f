import type { CaseEventsPublisher } from '../gateway/events/case-events.publisher';
import type { CaseStatusChange, DeliveryWork } from './delivery-store';

/** Tells the platform that a case moved, once the change is committed. */
export class StatusChangeNotifier {
  constructor(private readonly events: CaseEventsPublisher) {}

  caseStatusChanged(
    work: Pick<DeliveryWork, 'caseId' | 'externalId' | 'source' | 'serviceCode'>,
    change: CaseStatusChange,
  ): void {
    this.events.statusChanged({
      caseId: work.caseId,
      externalId: work.externalId,
      source: work.source,
      serviceCode: work.serviceCode,
      status: change.to,
      previousStatus: change.from,
      at: new Date().toISOString(),
    });
  }
}
