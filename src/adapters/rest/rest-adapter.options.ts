import { plainToInstance, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { flattenValidationErrors, toDottedPath } from '../../common/validation/flatten-validation-errors';
import {
  NoAuthOptions,
  REST_AUTH_DISCRIMINATOR,
  RestAuthOptionsBase,
  type RestAuthOptions,
} from './rest-auth.options';

/**
 * Where to read fields of a department answer (create receipt and status lookup). Each is a JSON
 * pointer (`/data/application_no`) or a dotted path (`data.application_no`, `items.0.no`).
 */
export class RestReceiptOptions {
  /** The department's reference number (受理编号), e.g. `application_no`. */
  @IsOptional() @IsString() @IsNotEmpty() reference?: string;
  /** The department's status, e.g. `status` (CIVIL) or `state` (HEALTH). */
  @IsString() @IsNotEmpty() status: string = 'status';
  @IsOptional() @IsString() @IsNotEmpty() remark?: string;
  @IsOptional() @IsString() @IsNotEmpty() finishedAt?: string;
}

/** TLS files, relative to the config directory. The public roots are replaced when `ca` is set. */
export class RestTlsOptions {
  /** PEM bundle of the department's (private) CA. */
  @IsOptional() @IsString() @IsNotEmpty() ca?: string;
  /** Client certificate and key (PEM) for mutual TLS; both or neither. */
  @IsOptional() @IsString() @IsNotEmpty() cert?: string;
  @IsOptional() @IsString() @IsNotEmpty() key?: string;
  @IsOptional() @IsString() passphrase?: string;
}

const PATH = /^\/[^\s]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `adapter.options` of a `type: rest` department. */
export class RestAdapterOptions {
  /** Scheme, host, port and optional path prefix, e.g. `https://civil.gov.local:8443/gateway`. */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true, require_host: true })
  baseUrl!: string;
  /** The create endpoint below baseUrl, e.g. `/api/assistance/applications`. */
  @IsString() @Matches(PATH, { message: 'path must start with / and contain no spaces' }) path!: string;
  @IsIn(['POST', 'PUT']) method: 'POST' | 'PUT' = 'POST';
  /** json: the mapped message is serialized with JSON.stringify; xml: a string, or an object tree built to XML. */
  @IsIn(['json', 'xml']) bodyFormat: 'json' | 'xml' = 'json';
  /** Header carrying the delivery id; empty string = none (the id is then only in the body). */
  @IsString()
  @Matches(/^$|^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'not a header name' })
  idempotencyHeader: string = 'Idempotency-Key';
  /** Fixed extra headers, e.g. a channel code the department requires. */
  @IsOptional() @IsObject() headers?: Record<string, string>;
  /**
   * Status lookup for checkStatus, with `{deliveryId}` and `{receiptRef}` placeholders, e.g.
   * `/api/assistance/applications/by-request/{deliveryId}`. Without it, checkStatus is not offered.
   */
  @IsOptional() @IsString() @Matches(PATH) statusPath?: string;
  /** Cheap endpoint for the health probe; default: HEAD on baseUrl. */
  @IsOptional() @IsString() @Matches(PATH) healthPath?: string;
  @ValidateNested()
  @Type(() => RestAuthOptionsBase, {
    keepDiscriminatorProperty: true,
    discriminator: REST_AUTH_DISCRIMINATOR,
  })
  auth: RestAuthOptions = new NoAuthOptions();
  @ValidateNested() @Type(() => RestReceiptOptions) receipt: RestReceiptOptions = new RestReceiptOptions();
  /** Larger answers are cut off (and count as ambiguous: the department may have applied the case). */
  @IsInt() @Min(1024) @Max(512 * 1024 * 1024) maxResponseBytes: number = 5 * 1024 * 1024;
  /** Larger mapped messages are refused before sending. */
  @IsInt() @Min(1024) @Max(512 * 1024 * 1024) maxRequestBytes: number = 10 * 1024 * 1024;
  /** Follow 3xx answers, only to hosts in the allowlist; off: a 3xx is a permanent failure. */
  @IsBoolean() followRedirects: boolean = false;
  @IsInt() @Min(1) @Max(10) maxRedirects: number = 3;
  @IsOptional() @ValidateNested() @Type(() => RestTlsOptions) tls?: RestTlsOptions;
}

/** Checks decorators cannot express: header map entries, cert/key pairing. */
export function restOptionProblems(options: RestAdapterOptions): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!HEADER_NAME.test(name)) problems.push(`headers: "${name}" is not a header name`);
    if (typeof value !== 'string' || /[\r\n]/.test(value))
      problems.push(`headers.${name}: must be a one-line string`);
  }
  if (Boolean(options.tls?.cert) !== Boolean(options.tls?.key))
    problems.push('tls: cert and key go together');
  return problems;
}

/**
 * Validates options the way the config loader does (defaults exposed, unknown keys refused) and
 * adds the checks decorators cannot express. For tests and for the factory's own safety net.
 */
export function parseRestAdapterOptions(plain: unknown): RestAdapterOptions {
  const instance = plainToInstance(RestAdapterOptions, plain ?? {}, { exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  const problems = flattenValidationErrors(errors).map((p) => `${toDottedPath(p.segments)}: ${p.reason}`);
  problems.push(...restOptionProblems(instance));
  if (problems.length > 0) throw new Error(`invalid rest adapter options: ${problems.join('; ')}`);
  return instance;
}
