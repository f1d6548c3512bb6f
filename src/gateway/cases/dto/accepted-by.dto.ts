import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';

export const CHANNELS = ['WINDOW', 'KIOSK', 'MOBILE', 'WEB', 'TV'] as const;
export type Channel = (typeof CHANNELS)[number];

export class AcceptedByDto {
  @ApiProperty({ example: 'op-0042' }) @IsString() @Length(1, 64) operatorId!: string;
  @ApiProperty({ example: 'JJ-CXL-01' }) @IsString() @Length(1, 64) stationId!: string;
  @ApiProperty({ enum: CHANNELS, description: 'TV: rural platforms take applications through set-top boxes' })
  @IsIn(CHANNELS)
  channel!: Channel;
}
