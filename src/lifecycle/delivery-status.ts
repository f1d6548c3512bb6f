/** The state of one case at one department. MySQL holds it; BullMQ's job state never decides it. */
export enum DeliveryStatus {
  /** Committed, waiting on its department queue. */
  Pending = 'PENDING',
  /** An attempt is in flight. */
  Sending = 'SENDING',
  /** The last attempt failed transiently; the next one is scheduled. */
  RetryWait = 'RETRY_WAIT',
  /** Offered to a department that pulls its deliveries; waits for its acknowledgement. */
  AwaitingPickup = 'AWAITING_PICKUP',
  /** The department acknowledged receipt. */
  Delivered = 'DELIVERED',
  Processing = 'PROCESSING',
  Approved = 'APPROVED',
  /** Refused by the department, at delivery (permanent failure) or as its decision. */
  Rejected = 'REJECTED',
  /** Retries exhausted; kept with its last error until replayed. */
  DeadLettered = 'DEAD_LETTERED',
}

export const FINAL_DELIVERY_STATUSES: ReadonlySet<DeliveryStatus> = new Set([
  DeliveryStatus.Approved,
  DeliveryStatus.Rejected,
]);
