import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/**
 * How a department proves a status callback is its own. Configured, not coded: HMAC over the body
 * (or timestamp + body, with a replay window) in a header of the department's choosing, or mTLS.
 */
export class CallbackAuthConfig {
  @IsIn(['hmac', 'mtls']) type!: 'hmac' | 'mtls';
  /** HMAC: header carrying the signature, e.g. `X-Signature`. */
  @IsOptional() @IsString() header?: string = 'X-Signature';
  @IsOptional() @IsIn(['sha256', 'sha512', 'sm3']) algorithm?: 'sha256' | 'sha512' | 'sm3' = 'sha256';
  /** HMAC secret (from the environment: `${DEPT_CALLBACK_SECRET}`). */
  @IsOptional() @IsString() secret?: string;
  /** `body`: HMAC(body); `timestamp+body`: HMAC(`{timestamp}\n{body}`) with a replay window. */
  @IsOptional() @IsIn(['body', 'timestamp+body']) signed?: 'body' | 'timestamp+body' = 'body';
  @IsOptional() @IsString() timestampHeader?: string = 'X-Timestamp';
  @IsOptional() @IsInt() @Min(1) @Max(86_400) replayWindowSeconds?: number = 300;
  @IsOptional() @IsIn(['hex', 'base64']) encoding?: 'hex' | 'base64' = 'hex';
  /** Text before the signature in the header, e.g. `sha256=`. */
  @IsOptional() @IsString() prefix?: string;
  /** mTLS: SHA-256 fingerprints (hex, colons allowed) of the client certificates this department uses. */
  @IsOptional() @IsArray() @IsString({ each: true }) certificateFingerprints?: string[];
}

export class CallbackConfig {
  @ValidateNested() @Type(() => CallbackAuthConfig) auth!: CallbackAuthConfig;
  /** Largest callback body accepted, bytes. */
  @IsOptional() @IsInt() @Min(256) maxBytes?: number = 256 * 1024;
}

export class PollingConfig {
  /** Poll open deliveries with the adapter's checkStatus (default: on when the adapter has one). */
  @IsOptional() enabled?: boolean;
  /** Budget of status calls per minute for this department, across all processes. */
  @IsInt() @Min(1) callsPerMinute: number = 30;
  /** First poll after delivery; the gap doubles after each unchanged answer up to maxIntervalMs. */
  @IsInt() @Min(100) initialIntervalMs: number = 5 * 60_000;
  @IsInt() @Min(100) maxIntervalMs: number = 6 * 60 * 60_000;
}

export class ResultCollectionConfig {
  /** How often collectResults runs for this department (file-drop result directories). */
  @IsInt() @Min(100) intervalMs: number = 60_000;
}

/** Where a department's results come back from, and how its status vocabulary is read. */
export class TrackingConfig {
  /**
   * Reverse mapping (config/mappings, direction: reverse) that turns the department's status
   * payload — callback body, status answer, result row — into a canonical status.
   */
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/) statusMapping?: string;
  /** Without a mapping: department status text → ACCEPTED | PROCESSING | APPROVED | REJECTED | RESEND. */
  @IsOptional() @IsObject() statusMap?: Record<string, string>;
  @IsOptional() @ValidateNested() @Type(() => CallbackConfig) callbacks?: CallbackConfig;
  @ValidateNested() @Type(() => PollingConfig) polling: PollingConfig = new PollingConfig();
  @ValidateNested() @Type(() => ResultCollectionConfig) results: ResultCollectionConfig =
    new ResultCollectionConfig();
}
