import { ArrayMinSize, IsArray, IsIn, IsString, Matches } from 'class-validator';

/** `outbox:pull`: a department that pulls its deliveries; its key's `source` is the department code. */
export const API_SCOPES = ['cases:write', 'cases:read', 'admin', 'mappings:preview', 'outbox:pull'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A client of the gateway. Only the SHA-256 of the key is configured, never the key itself. */
export class ApiKeyConfig {
  @IsString() name!: string;
  /** The submitting platform's name, used as the case `source` when the body has none. */
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/) source!: string;
  @IsArray() @ArrayMinSize(1) @IsIn(API_SCOPES, { each: true }) scopes!: ApiScope[];
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256!: string;
}
