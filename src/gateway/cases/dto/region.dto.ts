import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export const REGION_CODE_PATTERN = /^\d{12}$/;

export class RegionDto {
  @ApiProperty({
    description: '12 digits: county (GB/T 2260, 6) + street (3) + community (3)',
    example: '510104017003',
  })
  @IsString()
  @Matches(REGION_CODE_PATTERN, { message: 'code must be 12 digits' })
  code!: string;
}
