/** One queue per department, so a slow or failing department never holds up the others. */
export function deliveryQueueName(department: string): string {
  return `delivery.${department}`;
}

export enum JobName {
  Deliver = 'deliver',
}

/** Job data carries ids only: the case and its personal data stay in MySQL. */
export interface DeliveryJobData {
  deliveryId: string;
}
