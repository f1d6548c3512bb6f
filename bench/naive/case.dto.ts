import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** The case as a straightforward class-validator DTO (the CIVIL-DIBAO form inline). */
export class RegionDto {
  @Matches(/^\d{12}$/) code!: string;
}

export class ApplicantDto {
  @IsString() @Length(1, 50) name!: string;
  @IsIn(['RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PASS', 'TAIWAN_PASS']) idType!: string;
  @Matches(/^\d{17}[\dX]$/) idNumber!: string;
  @IsOptional() @Matches(/^1\d{10}$/) phone?: string;
  @IsOptional() @IsString() @Length(1, 200) address?: string;
}

export class AcceptedByDto {
  @IsString() @Length(1, 64) operatorId!: string;
  @IsString() @Length(1, 64) stationId!: string;
  @IsIn(['WINDOW', 'KIOSK', 'MOBILE', 'WEB', 'TV']) channel!: string;
}

export class MemberDto {
  @IsIn(['SPOUSE', 'CHILD', 'PARENT', 'SIBLING', 'OTHER']) relation!: string;
  @IsString() @Length(1, 50) name!: string;
  @IsOptional() @IsString() idNumber?: string;
}

export class DibaoFormDto {
  @IsInt() @Min(1) @Max(30) householdSize!: number;
  @Matches(/^\d{1,9}(\.\d{1,2})?$/) monthlyIncomeYuan!: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => MemberDto)
  members?: MemberDto[];
}

export class CaseDto {
  @IsString() @Length(1, 64) externalId!: string;
  @IsString() @Length(1, 64) serviceCode!: string;
  @ValidateNested() @Type(() => RegionDto) region!: RegionDto;
  @ValidateNested() @Type(() => ApplicantDto) applicant!: ApplicantDto;
  @IsISO8601({ strict: true }) acceptedAt!: string;
  @ValidateNested() @Type(() => AcceptedByDto) acceptedBy!: AcceptedByDto;
  @ValidateNested() @Type(() => DibaoFormDto) form!: DibaoFormDto;
}
