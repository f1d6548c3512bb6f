/** Where a case stands, rolled up from its deliveries. */
export enum CaseStatus {
  /** Stored and routed; deliveries are on their way. */
  Submitted = 'SUBMITTED',
  /** Every department has acknowledged its delivery. */
  Delivered = 'DELIVERED',
  /** At least one department is handling it. */
  Processing = 'PROCESSING',
  /** Every delivery reached a final result. */
  Completed = 'COMPLETED',
  /** A delivery is dead-lettered or was rejected at delivery: someone has to act. */
  NeedsAttention = 'NEEDS_ATTENTION',
}
