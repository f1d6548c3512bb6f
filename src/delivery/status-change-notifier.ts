import type { CaseEventsPublisher } from '../gateway/events/case-events.publisher';
import type { CaseStatusChange, DeliveryWork } from './delivery-store';

type ChangedCase = Pick<DeliveryWork, 'caseId' | 'externalId' | 'source' | 'serviceCode'>;

/** Told of every committed change; must not throw (e.g. the webhook dispatcher's kick). */
export type StatusChangeListener = (work: ChangedCase, change: CaseStatusChange) => void;

/** Tells the platform that a case moved, once the change is committed. */
export class StatusChangeNotifier {
  private readonly listeners: StatusChangeListener[] = [];

  constructor(private readonly events: CaseEventsPublisher) {}

  /** Adds a listener called after each committed change (a missed call is caught up by its own sweeper). */
  onChange(listener: StatusChangeListener): void {
    this.listeners.push(listener);
  }

  caseStatusChanged(work: ChangedCase, change: CaseStatusChange): void {
    this.events.statusChanged({
      caseId: work.caseId,
      externalId: work.externalId,
      source: work.source,
      serviceCode: work.serviceCode,
      status: change.to,
      previousStatus: change.from,
      at: new Date().toISOString(),
    });
    for (const listener of this.listeners) listener(work, change);
  }
}
