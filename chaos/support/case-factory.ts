import { randomBytes, randomInt } from 'node:crypto';
import { residentIdCheckDigit } from '../../src/gateway/validation/resident-id';

/** County codes that issued real resident IDs (the gateway does not check this part). */
const ISSUERS = ['510104', '510105', '110105', '310101', '440106', '330106', '420102', '610113'];
const SURNAMES = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴', '徐', '孙', '马', '朱'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明'];

/**
 * Every resident ID and phone number the suite generated, valid or not: the needles the
 * personal-data scan looks for in logs, Redis, job data, error bodies and Bull Board.
 */
export class PersonalDataRegistry {
  readonly ids = new Set<string>();
  readonly phones = new Set<string>();

  /** A fresh valid resident ID, never generated before in this run. */
  residentId(): string {
    for (;;) {
      const year = 1950 + randomInt(50);
      const month = 1 + randomInt(12);
      const day = 1 + randomInt(28);
      const first17 =
        ISSUERS[randomInt(ISSUERS.length)] +
        String(year) +
        String(month).padStart(2, '0') +
        String(day).padStart(2, '0') +
        String(randomInt(1000)).padStart(3, '0');
      const id = first17 + residentIdCheckDigit(first17);
      if (this.ids.has(id)) continue;
      this.ids.add(id);
      return id;
    }
  }

  /** A fresh mainland mobile number. */
  phone(): string {
    for (;;) {
      const phone = `1${3 + randomInt(7)}${String(randomInt(1_000_000_000)).padStart(9, '0')}`;
      if (this.phones.has(phone)) continue;
      this.phones.add(phone);
      return phone;
    }
  }

  /** Records a hostile variant (wrong check digit, odd spacing…) as a needle too. */
  remember(kind: 'id' | 'phone', value: string): string {
    (kind === 'id' ? this.ids : this.phones).add(value);
    return value;
  }
}

export type Department = 'CIVIL' | 'HRSS';

let sequence = 0;
const RUN = randomBytes(3).toString('hex');

/** A unique external id (the platform's case number) for this run. */
export function externalId(tag: string): string {
  sequence += 1;
  return `CH-${RUN}-${tag}-${sequence}`;
}

/** A valid canonical case for the department's service, with a fresh ID number and phone. */
export function validCase(
  personal: PersonalDataRegistry,
  department: Department,
  tag: string,
): Record<string, unknown> {
  const common = {
    externalId: externalId(tag),
    region: { code: '510104017003' },
    applicant: {
      name:
        SURNAMES[randomInt(SURNAMES.length)] +
        GIVEN[randomInt(GIVEN.length)] +
        GIVEN[randomInt(GIVEN.length)],
      idType: 'RESIDENT_ID',
      idNumber: personal.residentId(),
      phone: personal.phone(),
    },
    acceptedAt: new Date(Date.now() - 60_000).toISOString(),
    acceptedBy: { operatorId: 'op-chaos', stationId: 'CHAOS-01', channel: 'WINDOW' },
  };
  return department === 'CIVIL'
    ? { ...common, serviceCode: 'CIVIL-DIBAO', form: { householdSize: 2, monthlyIncomeYuan: '800.50' } }
    : {
        ...common,
        serviceCode: 'HRSS-UNEMP-REG',
        form: {
          lastEmployer: '成都某某科技有限公司',
          unemployedSince: '2026-10-31',
          reason: 'CONTRACT_ENDED',
        },
      };
}
