import { CaseStatus } from './case-status';
import { DeliveryStatus, FINAL_DELIVERY_STATUSES } from './delivery-status';

const RECEIVED_BY_DEPARTMENT: ReadonlySet<string> = new Set([
  DeliveryStatus.Delivered,
  DeliveryStatus.Processing,
  DeliveryStatus.Approved,
  DeliveryStatus.Rejected,
]);

/** A case's status follows from its deliveries: a parallel route completes when all of them are final. */
export function rollUpCaseStatus(deliveryStatuses: readonly string[]): CaseStatus {
  const deadLettered: string = DeliveryStatus.DeadLettered;
  const delivered: string = DeliveryStatus.Delivered;
  if (deliveryStatuses.some((s) => s === deadLettered)) return CaseStatus.NeedsAttention;
  if (deliveryStatuses.every((s) => FINAL_DELIVERY_STATUSES.has(s as DeliveryStatus)))
    return CaseStatus.Completed;
  if (deliveryStatuses.every((s) => RECEIVED_BY_DEPARTMENT.has(s))) {
    return deliveryStatuses.some((s) => s !== delivered) ? CaseStatus.Processing : CaseStatus.Delivered;
  }
  return CaseStatus.Submitted;
}
