import type { PersonalDataCipher } from '../../common/crypto/personal-data-cipher';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import type { CaseListRecord, CaseReadStore, DeliveryRecord } from '../../persistence/case-read-store';
import type { ReadAudit } from '../../persistence/read-audit';
import type { ApiClient } from '../auth/api-client';
import type { CanonicalCase } from '../intake/canonical-case';
import { maskedApplicant, maskedForm } from './case-masking';

export interface DeliverySummary {
  id: string;
  department: string;
  status: string;
}

export interface CaseSummary {
  id: string;
  externalId: string;
  status: string;
  flags: string[];
  deliveries: DeliverySummary[];
}

export interface CaseSearchParams {
  externalId?: string;
  applicantIdNumber?: string;
  status?: string;
  serviceCode?: string;
  from?: string;
  to?: string;
  /** `true`: open cases past their due time (marked by the overdue scan); `false`: the others. */
  overdue?: string;
  cursor?: string;
  limit?: string;
  /** Why the client reads (audited); the `X-Purpose` header says the same. */
  purpose?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Reads cases back for platforms and residents; personal data only ever leaves masked. */
export class CaseQueryService {
  constructor(
    private readonly store: CaseReadStore,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async summary(caseId: string): Promise<CaseSummary | undefined> {
    const record = await this.store.findCase(caseId);
    if (!record) return undefined;
    const deliveries = (await this.store.findDeliveries([caseId])).get(caseId) ?? [];
    return toSummary(record, deliveries);
  }

  /** `audit`: the read records itself (the rows are committed with it, before it is answered). */
  async detail(caseId: string, client: ApiClient, audit?: ReadAudit) {
    const found = UUID.test(caseId)
      ? await this.store.findCaseWithTimeline(caseId, { source: visibleSource(client), audit })
      : undefined;
    if (!found) throw ProblemException.notFound(`No case ${caseId}.`);
    const { record, events } = found;
    const deliveries = new Map([[caseId, found.deliveries]]);
    const document = JSON.parse(this.cipher.decrypt(record.payload)) as CanonicalCase;
    return {
      ...toSummary(record, deliveries.get(caseId) ?? []),
      source: record.source,
      serviceCode: record.serviceCode,
      regionCode: record.regionCode,
      acceptedAt: record.acceptedAt.toISOString(),
      receivedAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
      dueAt: record.dueAt?.toISOString() ?? null,
      overdueAt: record.overdueAt?.toISOString() ?? null,
      completedAt: record.completedAt?.toISOString() ?? null,
      case: masked(document),
      deliveries: (deliveries.get(caseId) ?? []).map(deliveryView),
      timeline: events.map((e) => ({
        at: e.createdAt.toISOString(),
        type: e.type,
        deliveryId: e.deliveryId,
        detail: e.detail,
      })),
    };
  }

  async search(params: CaseSearchParams, client: ApiClient, audit?: ReadAudit) {
    const errors: FieldError[] = [];
    const limit = params.limit === undefined ? 20 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      errors.push({ pointer: '/limit', reason: 'must be an integer from 1 to 100' });
    const overdue = parseFlag(params.overdue, '/overdue', errors);
    const from = parseTime(params.from, '/from', errors);
    const to = parseTime(params.to, '/to', errors);
    let afterId: string | undefined;
    if (params.cursor !== undefined) {
      afterId = Buffer.from(params.cursor, 'base64url').toString('utf8');
      if (!UUID.test(afterId))
        errors.push({ pointer: '/cursor', reason: 'is not a cursor returned by this API' });
    }
    if (errors.length > 0) throw ProblemException.invalid(errors, 'The search parameters are not valid.');

    const idNumber = normalizedIdNumber(params.applicantIdNumber);
    const { records, deliveries } = await this.store.searchWithDeliveries(
      {
        source: visibleSource(client),
        externalId: params.externalId,
        applicantIdHashes: idNumber ? this.cipher.lookupHashes(idNumber) : undefined,
        status: params.status,
        serviceCode: params.serviceCode,
        overdue,
        from,
        to,
        afterId,
        limit: limit + 1,
      },
      audit ? { audit, pageSize: limit } : undefined,
    );
    const page = records.slice(0, limit);
    return {
      items: page.map((r) => ({
        ...toSummary(r, deliveries.get(r.id) ?? []),
        serviceCode: r.serviceCode,
        source: r.source,
        applicant: JSON.parse(r.applicantMasked) as Record<string, string>,
        acceptedAt: r.acceptedAt.toISOString(),
        dueAt: r.dueAt?.toISOString() ?? null,
        overdueAt: r.overdueAt?.toISOString() ?? null,
      })),
      nextCursor: records.length > limit ? Buffer.from(page[page.length - 1].id).toString('base64url') : null,
    };
  }
}

/** How an ID number is searched for: trimmed, check letter upper-cased (as intake stores it). */
export function normalizedIdNumber(value: string | undefined): string | undefined {
  const idNumber = value?.trim().toUpperCase();
  return idNumber ? idNumber : undefined;
}

/** The source whose cases a client sees: its own, or every source (undefined) for `admin`. */
function visibleSource(client: ApiClient): string | undefined {
  return client.scopes.has('admin') ? undefined : client.source;
}

function toSummary(record: CaseListRecord, deliveries: DeliveryRecord[]): CaseSummary {
  return {
    id: record.id,
    externalId: record.externalId,
    status: record.status,
    flags: record.flags,
    deliveries: deliveries.map((d) => ({ id: d.id, department: d.department, status: d.status })),
  };
}

function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    department: d.department,
    status: d.status,
    attempts: d.attempts,
    receiptRef: d.receiptRef,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    updatedAt: d.updatedAt.toISOString(),
  };
}

/**
 * The stored case with personal data masked (the applicant's and that of people in the form) and
 * inline attachment content left out. Masked from the decrypted document, so the forms are today's
 * even for cases stored under older masking rules.
 */
function masked(document: CanonicalCase): Record<string, unknown> {
  return {
    ...document,
    applicant: {
      idType: document.applicant.idType,
      ...maskedApplicant(document.applicant),
      ...(document.applicant.address ? { address: '***' } : {}),
    },
    ...(document.form !== undefined ? { form: maskedForm(document.form) } : {}),
    attachments: document.attachments?.map(({ contentBase64, ...rest }) => ({
      ...rest,
      ...(contentBase64 !== undefined ? { inline: true } : {}),
    })),
  };
}

function parseFlag(value: string | undefined, pointer: string, errors: FieldError[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  errors.push({ pointer, reason: 'must be true or false' });
  return undefined;
}

function parseTime(value: string | undefined, pointer: string, errors: FieldError[]): Date | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    errors.push({ pointer, reason: 'must be an ISO 8601 date-time' });
    return undefined;
  }
  return new Date(time);
}
