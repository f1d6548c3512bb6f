import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const REST_AUTH_TYPES = ['none', 'basic', 'bearer', 'oauth2', 'hmac'] as const;
export type RestAuthType = (typeof REST_AUTH_TYPES)[number];

/** Common base; an unknown `type` stays this class and fails the IsIn below with a readable message. */
export class RestAuthOptionsBase {
  @IsIn(REST_AUTH_TYPES) type!: RestAuthType;
}

export class NoAuthOptions extends RestAuthOptionsBase {
  @IsIn(['none']) override type = 'none' as const;
}

/** HTTP Basic with fixed credentials. */
export class BasicAuthOptions extends RestAuthOptionsBase {
  @IsIn(['basic']) override type = 'basic' as const;
  @IsString() @IsNotEmpty() username!: string;
  @IsString() password!: string;
}

/** A static bearer token (`Authorization: Bearer <token>`). */
export class BearerAuthOptions extends RestAuthOptionsBase {
  @IsIn(['bearer']) override type = 'bearer' as const;
  @IsString() @IsNotEmpty() token!: string;
}

/** OAuth2 client credentials; the token is cached and renewed before it expires. */
export class OAuth2AuthOptions extends RestAuthOptionsBase {
  @IsIn(['oauth2']) override type = 'oauth2' as const;
  /** Absolute token endpoint URL; its host must be in the department's allowedHosts too. */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true }) tokenUrl!: string;
  @IsString() @IsNotEmpty() clientId!: string;
  @IsString() clientSecret!: string;
  /** Space-separated scopes, sent only when set. */
  @IsOptional() @IsString() scope?: string;
  /** How the client authenticates at the token endpoint: HTTP Basic header or form fields. */
  @IsIn(['basic', 'body']) clientAuth: 'basic' | 'body' = 'basic';
  /** Renew this many seconds before expiry (at most half the token lifetime). */
  @IsInt() @Min(0) @Max(3600) refreshSkewSeconds: number = 60;
  /** Lifetime assumed when the token response has no `expires_in`. */
  @IsInt() @Min(1) defaultExpiresInSeconds: number = 300;
}

/** Header names of an HMAC-signed request. */
export class HmacHeaderNames {
  @IsString() @IsNotEmpty() keyId: string = 'X-Key-Id';
  @IsString() @IsNotEmpty() timestamp: string = 'X-Timestamp';
  @IsString() @IsNotEmpty() signature: string = 'X-Signature';
}

/**
 * HMAC request signatures. The signed string is `stringToSign` with placeholders replaced:
 * `{timestamp}` (Unix seconds), `{method}` (upper case), `{path}` (path and query as sent),
 * `{bodyHash}` (hex digest of the exact body bytes, `bodyHashAlgorithm`), `{keyId}`. The default
 * is HEALTH's scheme: hex HMAC-SHA256 of "{timestamp}\n{method}\n{path}\n{bodyHash}".
 */
export class HmacAuthOptions extends RestAuthOptionsBase {
  @IsIn(['hmac']) override type = 'hmac' as const;
  @IsString() @IsNotEmpty() keyId!: string;
  @IsString() @IsNotEmpty() secret!: string;
  @IsIn(['sha256', 'sha384', 'sha512', 'sha1']) algorithm: 'sha256' | 'sha384' | 'sha512' | 'sha1' = 'sha256';
  @IsIn(['sha256', 'sha384', 'sha512', 'sha1']) bodyHashAlgorithm: 'sha256' | 'sha384' | 'sha512' | 'sha1' =
    'sha256';
  @IsIn(['hex', 'base64']) encoding: 'hex' | 'base64' = 'hex';
  @IsString()
  @Matches(/\{timestamp\}/, { message: 'stringToSign must contain {timestamp}' })
  stringToSign: string = '{timestamp}\n{method}\n{path}\n{bodyHash}';
  @ValidateNested() @Type(() => HmacHeaderNames) headers: HmacHeaderNames = new HmacHeaderNames();
}

export type RestAuthOptions =
  NoAuthOptions | BasicAuthOptions | BearerAuthOptions | OAuth2AuthOptions | HmacAuthOptions;

/** class-transformer discriminator for `auth`, keyed by `type`. */
export const REST_AUTH_DISCRIMINATOR = {
  property: 'type',
  subTypes: [
    { value: NoAuthOptions, name: 'none' },
    { value: BasicAuthOptions, name: 'basic' },
    { value: BearerAuthOptions, name: 'bearer' },
    { value: OAuth2AuthOptions, name: 'oauth2' },
    { value: HmacAuthOptions, name: 'hmac' },
  ],
};
