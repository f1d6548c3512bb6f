import { maskIdNumber, maskName } from '../../common/masking';

/** What the department's business layer refuses, as `soap:Client.ValidationFailed`. */
export class ValidationFailure extends Error {}

export interface RegistrationRecord {
  requestId: string;
  businessNo: string;
  status: string;
  remark?: string;
  finishTime?: string;
  receivedAt: string;
}

export interface LoggedRequest {
  at: string;
  operation: string;
  requestId?: string;
  /** Masked: the simulator keeps no personal data in clear. */
  xm?: string;
  zjhm?: string;
  outcome: string;
}

type Tree = Record<string, unknown>;

const ID_TYPES = ['01', '03', '06', '07'];
const REASONS = ['11', '12', '13', '14', '19'];
const CHANNELS = ['1', '2', '3', '4', '5'];
const YMD = /^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

function field(tree: unknown, path: string): string | undefined {
  let node: unknown = tree;
  for (const key of path.split('/'))
    node = node && typeof node === 'object' ? (node as Tree)[key] : undefined;
  if (typeof node === 'number') return String(node);
  return typeof node === 'string' ? node : undefined;
}

/** Field checks in the order the department's validator reports them; the first failure wins. */
function validate(args: unknown): void {
  const check = (path: string, ok: (value: string) => boolean, message: string, optional = false): void => {
    const value = field(args, path);
    if (value === undefined || value === '') {
      if (optional) return;
      throw new ValidationFailure(`${path}: 不能为空 (required)`);
    }
    if (!ok(value)) throw new ValidationFailure(`${path}: ${message}`);
  };
  check('requestId', (v) => v.length <= 64, '长度不能超过64 (too long)');
  check('applicant/xm', (v) => Array.from(v).length <= 50, '姓名过长 (name too long)');
  check('applicant/zjlx', (v) => ID_TYPES.includes(v), '证件类型无效 (invalid certificate type)');
  const residentId = field(args, 'applicant/zjlx') === '01';
  check(
    'applicant/zjhm',
    (v) => (residentId ? /^\d{17}[\dX]$/.test(v) : /^[A-Za-z0-9]{5,20}$/.test(v)),
    residentId ? '身份证号码长度或格式错误 (resident ID must be 18 characters)' : '证件号码格式错误',
  );
  check('applicant/xb', (v) => v === '1' || v === '2', '性别代码无效 (gender must be 1 or 2)');
  check('applicant/csrq', (v) => YMD.test(v), '出生日期格式应为yyyyMMdd');
  check('applicant/lxdh', (v) => /^[\d+\- ]{5,20}$/.test(v), '联系电话格式错误', true);
  check('registration/sydjrq', (v) => YMD.test(v), '失业日期格式应为yyyyMMdd');
  check('registration/syyy', (v) => REASONS.includes(v), '失业原因代码无效');
  check('registration/yhdw', (v) => Array.from(v).length <= 100, '原用人单位名称超过100字');
  check('registration/xzqh', (v) => /^\d{12}$/.test(v), '行政区划代码应为12位');
  check('registration/slsj', (v) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v), '受理时间格式错误');
  check('registration/slqd', (v) => CHANNELS.includes(v), '受理渠道代码无效');
}

/**
 * The department's registration book: idempotent by requestId (the same requestId returns the same
 * businessNo and is applied once), plus counters that let tests prove it.
 */
export class HrssRegistry {
  private readonly records = new Map<string, RegistrationRecord>();
  private readonly log: LoggedRequest[] = [];
  private sequence = 0;
  private readonly statusQueriesById = new Map<string, number>();
  submits = 0;
  duplicates = 0;
  applied = 0;
  /** QueryRegistrationStatus calls that reached the service, in any fault mode. */
  statusQueries = 0;

  submit(args: unknown): { record: RegistrationRecord; xm: string } {
    this.submits += 1;
    const requestId = field(args, 'requestId');
    const xm = field(args, 'applicant/xm') ?? '';
    try {
      validate(args);
    } catch (error) {
      this.note('SubmitUnemploymentRegistration', args, `ValidationFailed: ${(error as Error).message}`);
      throw error;
    }
    const existing = this.records.get(requestId!);
    if (existing) {
      this.duplicates += 1;
      this.note('SubmitUnemploymentRegistration', args, `duplicate ${existing.businessNo}`);
      return { record: existing, xm };
    }
    this.sequence += 1;
    const now = new Date();
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    const record: RegistrationRecord = {
      requestId: requestId!,
      businessNo: `SY${day}${String(this.sequence).padStart(8, '0')}`,
      status: '01',
      receivedAt: now.toISOString(),
    };
    this.records.set(record.requestId, record);
    this.applied += 1;
    this.note('SubmitUnemploymentRegistration', args, `accepted ${record.businessNo}`);
    return { record, xm };
  }

  /** Counts a status query (before any fault mode answers it), so tests can count polls. */
  countStatusQuery(requestId: string): void {
    this.statusQueries += 1;
    this.statusQueriesById.set(requestId, (this.statusQueriesById.get(requestId) ?? 0) + 1);
  }

  statusQueriesFor(requestId: string): number {
    return this.statusQueriesById.get(requestId) ?? 0;
  }

  find(requestId: string): RegistrationRecord | undefined {
    return this.records.get(requestId);
  }

  /** Moves a registration along (tests): 02 in progress, 03 approved, 04 rejected. */
  setStatus(requestId: string, status: string, remark?: string): boolean {
    const record = this.records.get(requestId);
    if (!record) return false;
    record.status = status;
    record.remark = remark;
    record.finishTime = status === '03' || status === '04' ? formatShanghai(new Date()) : undefined;
    return true;
  }

  note(operation: string, args: unknown, outcome: string): void {
    const xm = field(args, 'applicant/xm');
    const zjhm = field(args, 'applicant/zjhm');
    this.log.push({
      at: new Date().toISOString(),
      operation,
      requestId: field(args, 'requestId'),
      xm: xm === undefined ? undefined : maskName(xm),
      zjhm: zjhm === undefined ? undefined : maskIdNumber(zjhm),
      outcome,
    });
    if (this.log.length > 50) this.log.shift();
  }

  get uniqueRequestIds(): number {
    return this.records.size;
  }

  lastRequests(limit = 20): LoggedRequest[] {
    return this.log.slice(-limit);
  }

  reset(): void {
    this.records.clear();
    this.log.length = 0;
    this.statusQueriesById.clear();
    this.submits = this.duplicates = this.applied = this.statusQueries = 0;
  }
}

function formatShanghai(date: Date): string {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
