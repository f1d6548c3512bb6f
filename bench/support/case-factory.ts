import { residentIdCheckDigit } from '../../src/gateway/validation/resident-id';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰'];
const CHANNELS = ['WINDOW', 'KIOSK', 'MOBILE', 'WEB', 'TV'];

/** A valid resident ID number, distinct for every n below 365 × 999 × 50 (birth day × sequence × year). */
export function residentIdFor(n: number): string {
  const sequence = (n % 999) + 1;
  const day = Math.floor(n / 999) % 365;
  const year = 1950 + (Math.floor(n / (999 * 365)) % 50);
  const birth = new Date(Date.UTC(year, 0, 1 + day)).toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `510104${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + residentIdCheckDigit(first17);
}

/**
 * Distinct, valid CIVIL-DIBAO cases (a 低保 application with one household member), the shape
 * test/support/sample-case.ts shows: every call gets its own externalId and applicant.
 */
export class CaseFactory {
  private n = 0;

  constructor(private readonly prefix: string) {}

  next(): Record<string, unknown> {
    const n = this.n++;
    const name = SURNAMES[n % SURNAMES.length] + GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length];
    return {
      externalId: `${this.prefix}-${n}`,
      serviceCode: 'CIVIL-DIBAO',
      region: { code: '510104017003' },
      applicant: {
        name,
        idType: 'RESIDENT_ID',
        idNumber: residentIdFor(n),
        phone: `139${String(n % 100_000_000).padStart(8, '0')}`,
      },
      acceptedAt: new Date(Date.now() - 60_000).toISOString(),
      acceptedBy: { operatorId: 'op-0042', stationId: 'JJ-CXL-01', channel: CHANNELS[n % CHANNELS.length] },
      form: {
        householdSize: 2,
        monthlyIncomeYuan: `${800 + (n % 500)}.50`,
        members: [{ relation: 'SPOUSE', name: '陈伟', idNumber: residentIdFor(n + 7_000_000) }],
      },
    };
  }

  body(): string {
    return JSON.stringify(this.next());
  }
}
