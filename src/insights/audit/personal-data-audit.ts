import { Injectable } from '@nestjs/common';
import type { ApiClient } from '../../gateway/auth/api-client';
import type { ReadAudit } from '../../persistence/read-audit';
import { PERSONAL_DATA_READ, type PersonalDataRead } from './personal-data-read';

/**
 * Says who reads cases' personal data, when, why and under which scope. The read writes the rows
 * itself (src/persistence/read-audit.ts) and commits them before it answers: data that could not be
 * audited is not disclosed (the request fails instead), and the rows name exactly the cases disclosed.
 */
@Injectable()
export class PersonalDataAudit {
  forRead(read: PersonalDataRead, now = new Date()): ReadAudit {
    const detail = (scope: Scope) => ({
      source: read.client.source,
      scope,
      via: read.via,
      purpose: read.purpose ?? null,
      ...(read.lookup ? { lookup: read.lookup } : {}),
    });
    return {
      actor: read.client.name,
      action: PERSONAL_DATA_READ,
      clientSource: read.client.source,
      ownSourceDetail: detail(scopeForOwnCases(read.client)),
      otherSourceDetail: detail('admin'),
      countResults: read.via === 'case.search',
      at: now,
    };
  }
}

type Scope = 'cases:read' | 'admin';

/** `cases:read` covers a client's own cases; only `admin` reaches another source's. */
function scopeForOwnCases(client: ApiClient): Scope {
  return client.scopes.has('cases:read') ? 'cases:read' : 'admin';
}
