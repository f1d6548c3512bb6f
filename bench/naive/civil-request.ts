import type { CaseDto } from './case.dto';

const ID_TYPES: Record<string, string> = {
  RESIDENT_ID: '居民身份证',
  PASSPORT: '护照',
  HK_MACAO_PASS: '港澳居民来往内地通行证',
  TAIWAN_PASS: '台湾居民来往大陆通行证',
};
const RELATIONS: Record<string, string> = {
  SPOUSE: '配偶',
  CHILD: '子女',
  PARENT: '父母',
  SIBLING: '兄弟姐妹',
  OTHER: '其他',
};
const CHANNELS: Record<string, string> = {
  WINDOW: '窗口',
  KIOSK: '自助终端',
  MOBILE: '移动端',
  WEB: '网站',
  TV: '电视',
};

/** The civil affairs request body, hand-written the way a team without a mapping engine would. */
export function civilRequest(requestId: string, c: CaseDto): Record<string, unknown> {
  const id = c.applicant.idNumber;
  const shanghai = new Date(new Date(c.acceptedAt).getTime() + 8 * 3600_000);
  return {
    request_id: requestId,
    applicant_name: c.applicant.name,
    id_type: ID_TYPES[c.applicant.idType],
    id_number: id,
    gender: Number(id[16]) % 2 === 1 ? '男' : '女',
    birth_date: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    phone: c.applicant.phone,
    region_code: c.region.code,
    household_size: c.form.householdSize,
    monthly_income_fen: Math.round(Number(c.form.monthlyIncomeYuan) * 100),
    family_members: (c.form.members ?? []).map((m) => ({
      relation: RELATIONS[m.relation],
      name: m.name,
      id_number: m.idNumber,
    })),
    accepted_at: shanghai.toISOString().replace(/\.\d{3}Z$/, '+08:00'),
    channel: CHANNELS[c.acceptedBy.channel],
  };
}
