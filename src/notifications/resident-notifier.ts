/**
 * Injection token of the resident notifier. The built-in one sends by each platform's
 * `residentNotifier` (log or webhook); a deployment plugs in its SMS gateway with
 * `extraProviders: [{ provide: RESIDENT_NOTIFIER, useClass: MySmsNotifier }]`.
 */
export const RESIDENT_NOTIFIER = Symbol('tongban.resident-notifier');

/** A case reached its final result: tell the resident. */
export interface ResidentNotice {
  /** platform_events id: the same notice retried keeps it (use it as the SMS gateway's dedup key). */
  eventId: string;
  /** The platform the case came from. */
  source: string;
  caseId: string;
  /** The resident's phone, in clear: read from the encrypted case at send time, never stored elsewhere. */
  phone: string;
  serviceCode: string;
  status: string;
  results: Array<{ department: string; status: string }>;
  /** When the case reached this status (ISO 8601). */
  at: string;
}

/**
 * Sends one notice. Resolving means sent; throwing means "try again later" (with the platform's
 * backoff, then the dead letter). The error message is stored and logged: never put the phone in it.
 */
export interface ResidentNotifier {
  notify(notice: ResidentNotice): Promise<void>;
}
