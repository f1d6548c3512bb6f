import { residentIdCheckDigit } from '../../src/gateway/validation/resident-id';

let counter = 0;

/** A valid resident ID for a birth date, with its check digit computed (sequence varies per call). */
export function residentId(birth = '19900101', sequence = 100 + (counter++ % 800)): string {
  const first17 = `510104${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + residentIdCheckDigit(first17);
}

/** A valid canonical case for HRSS unemployment registration, unique by externalId. */
export function sampleCase(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    externalId: `T-${process.pid}-${Date.now()}-${counter}`,
    serviceCode: 'HRSS-UNEMP-REG',
    region: { code: '510104017003' },
    applicant: { name: '张三', idType: 'RESIDENT_ID', idNumber: '11010519491231002X', phone: '13800138000' },
    acceptedAt: new Date(Date.now() - 60_000).toISOString(),
    acceptedBy: { operatorId: 'op-0042', stationId: 'JJ-CXL-01', channel: 'WINDOW' },
    form: { lastEmployer: '成都某某科技有限公司', unemployedSince: '2026-10-31', reason: 'CONTRACT_ENDED' },
    ...overrides,
  };
}
