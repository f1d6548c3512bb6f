import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  IsArray,
} from 'class-validator';

export class RateLimitConfig {
  /** At most `max` deliveries per `durationMs`, across all worker processes (BullMQ limiter). */
  @IsInt() @Min(1) max!: number;
  @IsInt() @Min(1) durationMs!: number;
}

export class RetryPolicyConfig {
  @IsInt() @Min(1) @Max(1000) attempts: number = 12;
  /** Exponential backoff with full jitter between `baseDelayMs` and `maxDelayMs`. */
  @IsInt() @Min(1) baseDelayMs: number = 2_000;
  @IsInt() @Min(1) maxDelayMs: number = 15 * 60_000;
}

export class DeliverySettingsConfig {
  @IsInt() @Min(1) @Max(256) concurrency: number = 4;
  @IsOptional() @ValidateNested() @Type(() => RateLimitConfig) rateLimit?: RateLimitConfig;
  @IsInt() @Min(100) timeoutMs: number = 30_000;
  @ValidateNested() @Type(() => RetryPolicyConfig) retry: RetryPolicyConfig = new RetryPolicyConfig();
}

export class AdapterSelectionConfig {
  /** Registered adapter type, e.g. `soap`, `rest`, `file-drop`, or a custom one. */
  @IsString() @Matches(/^[a-z][a-z0-9-]{1,40}$/) type!: string;
  /** Validated by the adapter's own options class. */
  @IsObject() options: Record<string, unknown> = {};
}

export class NetworkConfig {
  /** host:port patterns every outbound connection must match after DNS resolution. */
  @IsArray() @IsString({ each: true }) allowedHosts: string[] = [];
}

export class DepartmentConfig {
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,31}$/, { message: 'code must be 2–32 upper-case letters, digits or _' })
  code!: string;
  @IsString() name!: string;
  @IsBoolean() enabled: boolean = true;
  @IsString() @IsIn(Intl.supportedValuesOf('timeZone').concat('UTC')) timeZone: string = 'Asia/Shanghai';
  @ValidateNested() @Type(() => AdapterSelectionConfig) adapter!: AdapterSelectionConfig;
  @ValidateNested() @Type(() => DeliverySettingsConfig) delivery: DeliverySettingsConfig =
    new DeliverySettingsConfig();
  @IsOptional() @ValidateNested() @Type(() => NetworkConfig) network?: NetworkConfig;
}
