import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

export interface CivilSimulatorOptions extends RestSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime; tests use a few seconds to exercise renewal. */
  tokenTtlSeconds?: number;
}

const CREATE = '/api/assistance/applications';
const BY_REQUEST = /^\/api\/assistance\/applications\/by-request\/([^/]+)$/;
const ID_TYPES = ['居民身份证', '护照', '港澳居民来往内地通行证', '台湾居民来往大陆通行证'];
const RELATIONS = ['配偶', '子女', '父母', '兄弟姐妹', '其他'];
const CHANNELS = ['窗口', '自助终端', '移动端', '网站', '电视'];

const RULES: readonly FieldRule[] = [
  ['request_id', isText(64), 'required'],
  ['applicant_name', isText(50), 'required, at most 50 characters'],
  ['id_type', oneOf(ID_TYPES), `one of ${ID_TYPES.join(' | ')}`],
  ['id_number', isText(30), 'required'],
  ['gender', oneOf(['男', '女']), '男 or 女'],
  ['birth_date', matches(DATE), 'YYYY-MM-DD'],
  ['phone', optional(isText(20)), 'a phone number'],
  ['region_code', matches(REGION), '6 or 12 digits'],
  ['household_size', isInt(1), 'an integer ≥ 1'],
  ['monthly_income_fen', isInt(0), 'an integer number of fen ≥ 0'],
  ['family_members', Array.isArray, 'a list'],
  ['accepted_at', matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/), 'ISO 8601 with +08:00'],
  ['channel', oneOf(CHANNELS), `one of ${CHANNELS.join(' | ')}`],
];
const MEMBER_RULES: readonly FieldRule[] = [
  ['relation', oneOf(RELATIONS), `one of ${RELATIONS.join(' | ')}`],
  ['name', isText(50), 'required'],
  ['id_number', isText(30), 'required'],
];

/**
 * CIVIL (民政) as in docs/demo-departments.md: OAuth2 client credentials, idempotent JSON create
 * keyed by Idempotency-Key, status by request id. Extra control call: `POST /__control/revoke-tokens`.
 * Status callbacks carry the status answer, signed X-Signature = hex HMAC-SHA256 of
 * "{X-Timestamp}\n{body}" with X-Timestamp in Unix seconds.
 */
export class CivilSimulator extends RestSimulator {
  protected readonly stages = ['已受理', '审核中', '已批准'] as const;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly tokenTtlSeconds: number;
  private readonly tokens = new Map<string, number>();
  /** Token requests answered with a token. */
  tokensIssued = 0;

  constructor(options: CivilSimulatorOptions = {}) {
    super(options);
    this.clientId = options.clientId ?? 'tongban';
    this.clientSecret = options.clientSecret ?? 'demo-secret';
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
  }

  /** Invalidates every issued token, so the next API call gets a 401. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  protected referencePrefix(): string {
    return 'MZ';
  }

  protected isCreate(req: IncomingMessage, path: string): boolean {
    return req.method === 'POST' && path === CREATE;
  }

  protected override control(exchange: Exchange): boolean {
    if (exchange.req.method !== 'POST' || exchange.path !== '/__control/revoke-tokens') return false;
    this.revokeTokens();
    this.reply(exchange, 200, { ok: true });
    return true;
  }

  protected async route(exchange: Exchange): Promise<void> {
    const { req, path } = exchange;
    if (req.method === 'GET' && path === '/health') return this.reply(exchange, 200, { status: 'UP' });
    if (req.method === 'POST' && path === '/oauth/token') return this.issueToken(exchange);
    const lookup = BY_REQUEST.exec(path);
    if (path !== CREATE && !lookup) return this.reply(exchange, 404, { error: 'not_found', message: path });
    if (!this.authorized(req)) {
      return this.reply(
        exchange,
        401,
        { error: 'invalid_token', message: 'missing or expired access token' },
        { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      );
    }
    if (lookup && req.method === 'GET') return this.status(exchange, decodeURIComponent(lookup[1]));
    if (!lookup && req.method === 'POST') return this.create(exchange);
    this.reply(exchange, 405, { error: 'method_not_allowed', message: `${req.method} ${path}` });
  }

  private create(exchange: Exchange): void {
    const key = header(exchange.req, 'idempotency-key');
    if (!key)
      return this.reply(exchange, 400, { error: 'invalid_request', message: 'Idempotency-Key is required' });
    const body = parseJsonObject(exchange.body);
    if (!body)
      return this.reply(exchange, 400, { error: 'invalid_json', message: 'body is not a JSON object' });
    // A known key answers the first receipt, whatever the body: that is the point of the key.
    if (!this.cases.has(key)) {
      const problem = validate(body, key);
      if (problem) return this.reply(exchange, 400, { error: 'invalid_request', message: problem });
    }
    this.commit(exchange, key, (reference) => ({ application_no: reference, status: this.stages[0] }));
  }

  private status(exchange: Exchange, requestId: string): void {
    const stored = this.cases.get(requestId);
    if (!stored) return this.reply(exchange, 404, { error: 'not_found', message: 'unknown request_id' });
    this.reply(exchange, 200, this.statusBody(stored));
  }

  protected statusBody(stored: StoredCase): Record<string, unknown> {
    const { status, remark, finishedAt } = this.statusOf(stored);
    return {
      application_no: stored.reference,
      status,
      remark: remark ?? null,
      finished_at: finishedAt ?? null,
    };
  }

  protected signCallback(body: Buffer, secret: string): Record<string, string> {
    const timestamp = String(Math.floor(this.now() / 1000));
    const signature = createHmac('sha256', secret).update(`${timestamp}\n`).update(body).digest('hex');
    return { 'X-Timestamp': timestamp, 'X-Signature': signature };
  }

  private issueToken(exchange: Exchange): void {
    const form = new URLSearchParams(exchange.body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials')
      return this.reply(exchange, 400, { error: 'unsupported_grant_type' });
    const [id, secret] = basicCredentials(exchange.req) ?? [form.get('client_id'), form.get('client_secret')];
    if (!same(id, this.clientId) || !same(secret, this.clientSecret)) {
      return this.reply(
        exchange,
        401,
        { error: 'invalid_client' },
        { 'WWW-Authenticate': 'Basic realm="oauth"' },
      );
    }
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, this.now() + this.tokenTtlSeconds * 1000);
    this.tokensIssued++;
    this.reply(exchange, 200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.tokenTtlSeconds,
    });
  }

  private authorized(req: IncomingMessage): boolean {
    const match = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '');
    const expiresAt = match ? this.tokens.get(match[1]) : undefined;
    return expiresAt !== undefined && this.now() < expiresAt;
  }
}

function validate(body: Record<string, unknown>, key: string): string | undefined {
  const problem = firstProblem(body, RULES);
  if (problem) return problem;
  if (body.request_id !== key) return 'request_id: must equal the Idempotency-Key header';
  const members = body.family_members as unknown[];
  for (const [i, member] of members.entries()) {
    const inner =
      member && typeof member === 'object'
        ? firstProblem(member as Record<string, unknown>, MEMBER_RULES)
        : 'an object';
    if (inner) return `family_members[${i}].${inner}`;
  }
  return undefined;
}

function basicCredentials(req: IncomingMessage): [string, string] | undefined {
  const match = /^Basic (\S+)$/i.exec(header(req, 'authorization') ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return [unescape(decoded.slice(0, colon)), unescape(decoded.slice(colon + 1))];
}

function same(given: string | null, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
