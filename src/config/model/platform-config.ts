import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Where and how case status changes are pushed to a submitting platform. */
export class PlatformWebhookConfig {
  @IsString() @Matches(/^https?:\/\//, { message: 'url must be an http(s) URL' }) url!: string;
  /** HMAC-SHA256 secret; the signature goes in `X-Tongban-Signature` (see README). */
  @IsString() secret!: string;
  @IsOptional() @IsIn(['sha256', 'sm3']) algorithm: 'sha256' | 'sm3' = 'sha256';
  @IsInt() @Min(100) timeoutMs: number = 10_000;
  /** Attempts before an event is dead-lettered (it can be replayed). */
  @IsInt() @Min(1) @Max(100) attempts: number = 10;
  @IsInt() @Min(10) baseDelayMs: number = 2_000;
  @IsInt() @Min(10) maxDelayMs: number = 10 * 60_000;
  /** host:port patterns the webhook connection must match (empty: the URL's own host:port). */
  @IsOptional() @IsArray() @IsString({ each: true }) allowedHosts?: string[];
}

/** A platform that submits cases (its API keys carry this `source`). */
export class PlatformConfig {
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/) source!: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @ValidateNested() @Type(() => PlatformWebhookConfig) webhook?: PlatformWebhookConfig;
  /** Text message to the resident when a case reaches a final result (notifier plug-in). */
  @IsOptional() @IsIn(['none', 'log', 'webhook']) residentNotifier: 'none' | 'log' | 'webhook' = 'none';
  @IsOptional() @IsString() residentNotifierUrl?: string;
}
