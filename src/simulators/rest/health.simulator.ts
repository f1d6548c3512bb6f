import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  DATE,
  REGION,
  firstProblem,
  isInt,
  isText,
  matches,
  oneOf,
  optional,
  type FieldRule,
} from './field-rules';
import {
  header,
  parseJsonObject,
  RestSimulator,
  type Exchange,
  type RestSimulatorOptions,
  type StoredCase,
} from './rest-simulator';

export interface HealthSimulatorOptions extends RestSimulatorOptions {
  /** Known signing keys, key id → secret (default `tongban` → `demo-secret`). */
  keys?: Record<string, string>;
  /** Allowed clock difference of X-Timestamp, both ways (default 300 s). */
  maxSkewSeconds?: number;
}

const COLLECTION = '/v1/birth-registrations';
const ONE = /^\/v1\/birth-registrations\/([^/]+)$/;

const RULES: readonly FieldRule[] = [
  ['requestId', isText(64), 'required'],
  ['applicantName', isText(50), 'required, at most 50 characters'],
  ['idType', oneOf(['01', '03', '06', '07']), 'one of 01 | 03 | 06 | 07'],
  ['idNumber', isText(30), 'required'],
  ['birthDate', matches(DATE), 'YYYY-MM-DD'],
  ['phone', optional(isText(20)), 'a phone number'],
  ['regionCode', matches(REGION), '6 or 12 digits'],
  ['acceptedAt', matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/), 'ISO 8601'],
  ['childOrder', isInt(1), 'an integer ≥ 1'],
  ['spouseName', optional(isText(50)), 'at most 50 characters'],
];

/**
 * HEALTH (卫健) as in docs/demo-departments.md: every /v1 call signed with X-Key-Id, X-Timestamp
 * and X-Signature = hex HMAC-SHA256("{timestamp}\n{METHOD}\n{path}\n{hex sha256 of body}");
 * idempotent create keyed by X-Request-Id; 422 { message } for invalid data. Its status callbacks
 * are signed the webhook way: X-Hub-Signature = "sha256=" + base64 HMAC-SHA256 of the body alone.
 */
export class HealthSimulator extends RestSimulator {
  protected readonly stages = ['RECEIVED', 'IN_REVIEW', 'DONE'] as const;
  private readonly keys: Record<string, string>;
  private readonly maxSkewSeconds: number;

  constructor(options: HealthSimulatorOptions = {}) {
    super(options);
    this.keys = options.keys ?? { tongban: 'demo-secret' };
    this.maxSkewSeconds = options.maxSkewSeconds ?? 300;
  }

  protected referencePrefix(): string {
    return 'WJ';
  }

  protected isCreate(req: IncomingMessage, path: string): boolean {
    return req.method === 'POST' && path === COLLECTION;
  }

  protected async route(exchange: Exchange): Promise<void> {
    const { req, path } = exchange;
    if (req.method === 'GET' && path === '/health') return this.reply(exchange, 200, { status: 'UP' });
    const one = ONE.exec(path);
    if (path !== COLLECTION && !one) return this.reply(exchange, 404, { message: `no route ${path}` });
    const refusal = this.verifySignature(exchange);
    if (refusal) return this.reply(exchange, 401, { message: refusal });
    if (one && req.method === 'GET') return this.status(exchange, decodeURIComponent(one[1]));
    if (!one && req.method === 'POST') return this.create(exchange);
    this.reply(exchange, 405, { message: `${req.method} not allowed on ${path}` });
  }

  private create(exchange: Exchange): void {
    const key = header(exchange.req, 'x-request-id');
    if (!key) return this.reply(exchange, 422, { message: 'X-Request-Id header is required' });
    const body = parseJsonObject(exchange.body);
    if (!body) return this.reply(exchange, 400, { message: 'body is not a JSON object' });
    if (!this.cases.has(key)) {
      const problem =
        firstProblem(body, RULES) ??
        (body.requestId === key ? undefined : 'requestId: must equal the X-Request-Id header');
      if (problem) return this.reply(exchange, 422, { message: problem });
    }
    this.commit(exchange, key, (reference) => ({ registrationNo: reference }));
  }

  private status(exchange: Exchange, requestId: string): void {
    const stored = this.cases.get(requestId);
    if (!stored) return this.reply(exchange, 404, { message: 'unknown requestId' });
    this.reply(exchange, 200, this.statusBody(stored));
  }

  protected statusBody(stored: StoredCase): Record<string, unknown> {
    const { status, remark, finishedAt } = this.statusOf(stored);
    return {
      registrationNo: stored.reference,
      state: status,
      note: remark ?? null,
      doneAt: finishedAt ?? null,
    };
  }

  protected signCallback(body: Buffer, secret: string): Record<string, string> {
    return { 'X-Hub-Signature': `sha256=${createHmac('sha256', secret).update(body).digest('base64')}` };
  }

  /** Undefined when the request is correctly signed, else the reason for the 401. */
  private verifySignature(exchange: Exchange): string | undefined {
    const { req, body } = exchange;
    const keyId = header(req, 'x-key-id');
    const timestamp = header(req, 'x-timestamp');
    const signature = header(req, 'x-signature');
    if (!keyId || !timestamp || !signature) return 'X-Key-Id, X-Timestamp and X-Signature are required';
    const secret = Object.prototype.hasOwnProperty.call(this.keys, keyId) ? this.keys[keyId] : undefined;
    if (secret === undefined) return 'unknown key id';
    if (
      !/^\d{1,12}$/.test(timestamp) ||
      Math.abs(this.now() / 1000 - Number(timestamp)) > this.maxSkewSeconds
    )
      return `timestamp outside the ±${this.maxSkewSeconds} s window`;
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const signed = `${timestamp}\n${req.method ?? ''}\n${req.url ?? ''}\n${bodyHash}`;
    const expected = createHmac('sha256', secret).update(signed, 'utf8').digest();
    const given = Buffer.from(/^[0-9a-f]+$/i.test(signature) ? signature : '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'bad signature';
  }
}
