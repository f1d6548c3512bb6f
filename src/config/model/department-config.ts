import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  IsArray,
} from 'class-validator';
import { TrackingConfig } from './tracking-config';

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

export class CircuitBreakerConfig {
  /** Consecutive transient failures that open the circuit (the queue pauses, no attempts are burned). */
  @IsInt() @Min(1) failureThreshold: number = 5;
  /** Wait before the first probe; doubles on each failed probe up to maxCooldownMs. */
  @IsInt() @Min(100) cooldownMs: number = 30_000;
  @IsInt() @Min(100) maxCooldownMs: number = 5 * 60_000;
}

export class MaintenanceWindowConfig {
  /** Cron expression (5 fields) of the window's start, in the department's time zone. */
  @IsString() cron!: string;
  /** Minutes; fractions allowed (0.5 = 30 s). */
  @IsNumber() @Min(0.01) durationMinutes!: number;
}

export class WorkingHoursConfig {
  /** HH:mm, in the department's time zone. */
  @IsString() @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) start: string = '09:00';
  @IsString() @Matches(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/) end: string = '17:00';
  /** Holiday calendar (config/calendars/<name>.yaml) that knows public holidays and adjusted working days (调休). */
  @IsString() holidays: string = 'cn-mainland';
}

export class CalendarConfig {
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => MaintenanceWindowConfig)
  maintenanceWindows?: MaintenanceWindowConfig[];
  /** When set, deliveries are only sent in working hours on working days. */
  @IsOptional() @ValidateNested() @Type(() => WorkingHoursConfig) workingHours?: WorkingHoursConfig;
}

export class AlertThresholdsConfig {
  /** Share of failed attempts (0–1) in the window that raises an alert. */
  @IsNumber() @Min(0) @Max(1) failureRate: number = 0.5;
  /** Too few attempts say nothing about a rate. */
  @IsInt() @Min(1) minAttempts: number = 10;
  @IsNumber() @Min(0.1) windowMinutes: number = 5;
  /** Dead-lettered deliveries waiting for an operator that raise an alert. */
  @IsInt() @Min(1) deadLetters: number = 1;
}

export class DeliverySettingsConfig {
  @IsInt() @Min(1) @Max(256) concurrency: number = 4;
  @IsOptional() @ValidateNested() @Type(() => RateLimitConfig) rateLimit?: RateLimitConfig;
  @IsInt() @Min(100) timeoutMs: number = 30_000;
  @ValidateNested() @Type(() => RetryPolicyConfig) retry: RetryPolicyConfig = new RetryPolicyConfig();
  @ValidateNested() @Type(() => CircuitBreakerConfig) circuitBreaker: CircuitBreakerConfig =
    new CircuitBreakerConfig();
  @ValidateNested() @Type(() => AlertThresholdsConfig) alerts: AlertThresholdsConfig =
    new AlertThresholdsConfig();
}

export class AdapterSelectionConfig {
  /** Registered adapter type, e.g. `soap`, `rest`, `file-drop`, or a custom one. */
  @IsString() @Matches(/^[a-z][a-z0-9-]{1,40}$/) type!: string;
  /** Validated by the adapter's own options class. */
  @IsObject() options: Record<string, unknown> = {};
}

export class ProxyConfig {
  /** http://host:port of the forward proxy; connections are CONNECT tunnels (TLS stays end to end). */
  @IsString() @Matches(/^http:\/\/[^/?#]+\/?$/, { message: 'url must be http://host:port' }) url!: string;
  @IsOptional() @IsString() username?: string;
  @IsOptional() @IsString() password?: string;
}

export class NetworkConfig {
  /** host:port patterns every outbound connection must match after DNS resolution. */
  @IsArray() @IsString({ each: true }) allowedHosts: string[] = [];
  /**
   * Optional HTTP proxy for HTTP-based adapters (REST, SOAP). Its own host:port must be in
   * allowedHosts too, and so must every target it is asked to connect to.
   */
  @IsOptional() @ValidateNested() @Type(() => ProxyConfig) proxy?: ProxyConfig;
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
  @IsOptional() @ValidateNested() @Type(() => CalendarConfig) calendar?: CalendarConfig;
  /** Results back from the department: callbacks, polling, result files and its status vocabulary. */
  @ValidateNested() @Type(() => TrackingConfig) tracking: TrackingConfig = new TrackingConfig();
}
