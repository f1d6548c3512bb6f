import { DeliveryStatus } from './delivery-status';

const S = DeliveryStatus;
const OPEN = [S.Pending, S.Sending, S.RetryWait, S.AwaitingPickup];

/**
 * Every move a delivery may make. The engine, replays, pull acknowledgements and department
 * reports all go through it; anything else is an anomaly, kept in the case timeline.
 */
export const ALLOWED_TRANSITIONS: ReadonlyMap<DeliveryStatus, ReadonlySet<DeliveryStatus>> = new Map([
  [S.Pending, new Set([S.Sending, S.Delivered, S.Processing, S.Approved, S.Rejected, S.DeadLettered])],
  [
    S.Sending,
    new Set([
      S.Delivered,
      S.AwaitingPickup,
      S.RetryWait,
      S.Rejected,
      S.DeadLettered,
      S.Processing,
      S.Approved,
    ]),
  ],
  [
    S.RetryWait,
    new Set([S.Pending, S.Sending, S.Delivered, S.Processing, S.Approved, S.Rejected, S.DeadLettered]),
  ],
  [S.AwaitingPickup, new Set([S.Pending, S.Delivered, S.Processing, S.Approved, S.Rejected])],
  // RETRY_WAIT from a received delivery: the department asked for it again (RESEND).
  [S.Delivered, new Set([S.Processing, S.Approved, S.Rejected, S.RetryWait])],
  [S.Processing, new Set([S.Approved, S.Rejected, S.RetryWait])],
  [S.Approved, new Set<DeliveryStatus>()],
  // Only an operator's replay takes a delivery out of REJECTED or DEAD_LETTERED.
  [S.Rejected, new Set([S.Pending])],
  [S.DeadLettered, new Set([S.Pending, S.Delivered, S.Processing, S.Approved, S.Rejected])],
]);

export function isAllowedTransition(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return from === to || (ALLOWED_TRANSITIONS.get(from)?.has(to) ?? false);
}

/** Statuses a department can report, after its reverse mapping. */
export type ReportedStatus = 'ACCEPTED' | 'PROCESSING' | 'APPROVED' | 'REJECTED' | 'RESEND';

export type ReportDecision =
  | { kind: 'apply'; to: DeliveryStatus }
  /** Already there: the same report twice changes nothing. */
  | { kind: 'duplicate' }
  | { kind: 'illegal'; reason: string };

/** How far along a delivery is at its department; a report never moves it backwards. */
function stage(status: DeliveryStatus): number {
  if (status === S.Delivered) return 1;
  if (status === S.Processing) return 2;
  if (status === S.Approved || status === S.Rejected) return 3;
  return 0; // not yet acknowledged (or given up on by us): any news from the department is progress
}

/** What a department's report does to a delivery in `current`. */
export function decideReport(current: DeliveryStatus, reported: ReportedStatus): ReportDecision {
  if (reported === 'RESEND') {
    if (OPEN.includes(current)) return { kind: 'duplicate' };
    if (current === S.Delivered || current === S.Processing) return { kind: 'apply', to: S.RetryWait };
    return { kind: 'illegal', reason: `${current} → RESEND: the delivery is no longer with the department` };
  }
  const to =
    reported === 'ACCEPTED'
      ? S.Delivered
      : reported === 'PROCESSING'
        ? S.Processing
        : (reported as DeliveryStatus);
  if (to === current) return { kind: 'duplicate' };
  if (stage(to) <= stage(current) && current !== S.DeadLettered) {
    return { kind: 'illegal', reason: `${current} → ${to} is not allowed` };
  }
  return isAllowedTransition(current, to)
    ? { kind: 'apply', to }
    : { kind: 'illegal', reason: `${current} → ${to} is not allowed` };
}
