import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';

/** A material: exactly one of licenseRef, url or contentBase64 carries it. */
export class AttachmentDto {
  @ApiProperty({ example: 'ID_CARD_COPY' }) @IsString() @Length(1, 64) type!: string;
  @ApiProperty({ example: '身份证复印件.pdf' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'application/pdf' })
  @IsString()
  @Matches(/^[a-z]+\/[a-z0-9.+-]+$/i, { message: 'mediaType must be a media type such as application/pdf' })
  mediaType!: string;
  @ApiProperty({ description: 'SHA-256 of the content, lower-case hex' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256!: string;

  @ApiPropertyOptional({ description: 'Reference into the electronic licence library (电子证照库)' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  licenseRef?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  url?: string;

  @ApiPropertyOptional({
    description: 'Inline content, at most 2 MB decoded; larger materials go by reference',
  })
  @IsOptional()
  @IsBase64()
  contentBase64?: string;
}
