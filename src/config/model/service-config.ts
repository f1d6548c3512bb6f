import { IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';

export class ServiceConfig {
  /** Service item code as the platform sends it, e.g. `HRSS-UNEMP-REG`. */
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9_-]{1,63}$/, { message: 'code must be 2–64 upper-case letters, digits, - or _' })
  code!: string;
  @IsString() name!: string;
  /** Promised handling time, in working days (承诺办结时限). */
  @IsOptional() @IsInt() @Min(0) promisedWorkingDays?: number;
  @IsOptional() @IsInt() @Min(0) promisedHours?: number;
  /** JSON Schema file (relative to the config directory) that the case's `form` must satisfy. */
  @IsOptional() @IsString() formSchema?: string;
}
