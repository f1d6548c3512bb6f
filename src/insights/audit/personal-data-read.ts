import type { ApiClient } from '../../gateway/auth/api-client';

/** The audit action of a client reading (masked) personal data of cases. */
export const PERSONAL_DATA_READ = 'personal_data.read';

/** Where the read happened; one audit row per case it returned. */
export type ReadChannel = 'case.detail' | 'case.search';

export interface PersonalDataRead {
  client: ApiClient;
  via: ReadChannel;
  /** Why, as the client stated it (`X-Purpose` header or `purpose` parameter). */
  purpose?: string;
  /** What the client searched by, masked or as a lookup HMAC: never a value in clear. */
  lookup?: Record<string, string>;
}

/** One row of the audit log as the admin API shows it. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: Record<string, unknown> | null;
}
