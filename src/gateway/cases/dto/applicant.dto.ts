import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

export const ID_TYPES = ['RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PASS', 'TAIWAN_PASS'] as const;
export type IdType = (typeof ID_TYPES)[number];
export const PHONE_PATTERN = /^\+?[0-9][0-9 -]{4,19}$/;

export class ApplicantDto {
  @ApiProperty({
    description: 'Full name, 1–50 characters (any script, incl. 𠮷 and the middle dot ·)',
    example: '张三',
  })
  @IsString()
  name!: string;

  @ApiProperty({ enum: ID_TYPES })
  @IsIn(ID_TYPES)
  idType!: IdType;

  @ApiProperty({
    description: 'For RESIDENT_ID: 18 characters with a valid birth date and ISO 7064 MOD 11-2 check digit',
    example: '11010519491231002X',
  })
  @IsString()
  @Length(1, 32)
  idNumber!: string;

  @ApiPropertyOptional({ example: '13800138000' })
  @IsOptional()
  @IsString()
  @Matches(PHONE_PATTERN, {
    message: 'phone must be 5–20 digits, optionally with +, spaces or -',
  })
  phone?: string;

  @ApiPropertyOptional({ example: '四川省成都市锦江区春熙路1号' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  address?: string;
}
