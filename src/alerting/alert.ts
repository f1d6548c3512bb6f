export type AlertKind = 'failure-rate' | 'dead-letters';

/** What is logged and POSTed when an incident starts (`raised`) and when it ends (`resolved`). */
export interface AlertEvent {
  state: 'raised' | 'resolved';
  kind: AlertKind;
  department: string;
  /** The measured value: a failure rate (0–1) or a dead-letter count. */
  value: number;
  threshold: number;
  at: string;
  summary: string;
}
