import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ArrayMaxSize,
  ValidateNested,
} from 'class-validator';
import { AcceptedByDto } from './accepted-by.dto';
import { ApplicantDto } from './applicant.dto';
import { AttachmentDto } from './attachment.dto';
import { RegionDto } from './region.dto';

export const SCHEMA_VERSIONS = [1] as const;
export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const SERVICE_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{1,63}$/;

/** Offset required: a time without one means nothing across the platform and the departments. */
export const ISO_8601_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The canonical case, version 1: what every channel's submission is normalized into. */
export class CanonicalCaseDto {
  @ApiPropertyOptional({ enum: SCHEMA_VERSIONS, default: 1 })
  @IsOptional()
  @IsIn(SCHEMA_VERSIONS)
  schemaVersion?: 1;

  @ApiProperty({ description: "The platform's case number", example: 'JJ-2026-000123' })
  @IsString()
  @Length(1, 64)
  externalId!: string;

  @ApiPropertyOptional({ description: 'Submitting platform; taken from the API key where absent' })
  @IsOptional()
  @IsString()
  @Matches(SOURCE_PATTERN, { message: 'source must be 1–64 letters, digits, _ . or -' })
  source?: string;

  @ApiProperty({ example: 'HRSS-UNEMP-REG' })
  @IsString()
  @Matches(SERVICE_CODE_PATTERN, {
    message: 'serviceCode must be 2–64 upper-case letters, digits, - or _',
  })
  serviceCode!: string;

  @ApiProperty({ type: RegionDto }) @IsObject() @ValidateNested() @Type(() => RegionDto) region!: RegionDto;

  @ApiProperty({ type: ApplicantDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @ApiProperty({ example: '2026-11-20T09:30:00+08:00', description: 'ISO 8601 with offset' })
  @IsString()
  @Matches(ISO_8601_WITH_OFFSET, { message: 'acceptedAt must be an ISO 8601 date-time with an offset' })
  acceptedAt!: string;

  @ApiProperty({ type: AcceptedByDto })
  @IsObject()
  @ValidateNested()
  @Type(() => AcceptedByDto)
  acceptedBy!: AcceptedByDto;

  @ApiPropertyOptional({ description: "Service-specific fields, checked against the service's form schema" })
  @IsOptional()
  @IsObject()
  form?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];
}
