/** One queue per department, so a slow or failing department never holds up the others. */
export function deliveryQueueName(department: string): string {
  return `delivery.${department}`;
}

/** Webhooks and resident notices: one job per case (jobId = case id), so a case's events go out in order. */
export const WEBHOOK_QUEUE = 'webhooks';

export enum JobName {
  Deliver = 'deliver',
  SendPlatformEvents = 'send-platform-events',
}

/** Job data carries ids only: the case and its personal data stay in MySQL. */
export interface DeliveryJobData {
  deliveryId: string;
}

/** The platform events of one case are read from MySQL when the job runs. */
export interface PlatformEventsJobData {
  caseId: string;
}

/**
 * Status polling and result-file pickup: one queue for every department, driven by one job scheduler
 * per department and task (`poll:HRSS`, `results:DPF`), so every run lands on exactly one worker.
 */
export const TRACKING_QUEUE = 'tracking';

export enum TrackingJobName {
  PollStatus = 'poll-status',
  CollectResults = 'collect-results',
}

export interface TrackingJobData {
  department: string;
}
