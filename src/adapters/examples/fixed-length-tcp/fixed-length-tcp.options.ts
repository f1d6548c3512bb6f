import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsInt, IsString, Max, Min, ValidateNested } from 'class-validator';

export class FixedWidthFieldOptions {
  /** Key of the mapped record. */
  @IsString() name!: string;
  /** Width in bytes of the target encoding (GBK: a Chinese character takes two). */
  @IsInt() @Min(1) @Max(4096) width!: number;
}

export class FixedLengthTcpOptions {
  @IsString() host!: string;
  @IsInt() @Min(1) @Max(65535) port!: number;
  /** The message layout, in order. */
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => FixedWidthFieldOptions)
  fields!: FixedWidthFieldOptions[];
  @IsString() encoding: string = 'gbk';
}
