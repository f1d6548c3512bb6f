import { Injectable } from '@nestjs/common';
import type { ApiClient } from '../../gateway/auth/api-client';
import { AuditLogStore } from './audit-log.store';
import { PERSONAL_DATA_READ, type PersonalDataRead, type ReadCase } from './personal-data-read';

/**
 * Records who read which case's personal data, when and why. Awaited before the response goes
 * out: data that could not be audited is not disclosed (the request fails instead).
 */
@Injectable()
export class PersonalDataAudit {
  constructor(private readonly store: AuditLogStore) {}

  async recordReads(read: PersonalDataRead, now = new Date()): Promise<void> {
    await this.store.append(
      read.cases.map((c) => ({
        actor: read.client.name,
        action: PERSONAL_DATA_READ,
        subject: c.id,
        detail: {
          source: read.client.source,
          scope: scopeUsed(read.client, c),
          via: read.via,
          purpose: read.purpose ?? null,
          ...(read.lookup ? { lookup: read.lookup } : {}),
          ...(read.via === 'case.search' ? { resultCount: read.cases.length } : {}),
        },
      })),
      now,
    );
  }
}

/** `cases:read` covers a client's own cases; only `admin` reaches another source's. */
function scopeUsed(client: ApiClient, readCase: ReadCase): 'cases:read' | 'admin' {
  return readCase.source === client.source && client.scopes.has('cases:read') ? 'cases:read' : 'admin';
}
