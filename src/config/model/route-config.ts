import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';

export class RouteTargetConfig {
  @IsString() department!: string;
  /** Mapping id (config/mappings) that turns the canonical case into the department's message. */
  @IsOptional() @IsString() mapping?: string;
  /**
   * Region code prefixes (province 2, city 4, county 6 or street 9 digits) this target serves. A case
   * accepted anywhere reaches the department responsible for the applicant's district (全区域通办).
   */
  @IsOptional()
  @IsArray()
  @Matches(/^(\d{2}|\d{4}|\d{6}|\d{9})$/, {
    each: true,
    message: 'each region must be a 2, 4, 6 or 9 digit code',
  })
  regions?: string[];
}

export class RouteConfig {
  @IsString() service!: string;
  /** `single`: the first matching target; `parallel`: every matching target gets its own delivery. */
  @IsIn(['single', 'parallel']) mode: 'single' | 'parallel' = 'single';
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => RouteTargetConfig)
  targets!: RouteTargetConfig[];
}
