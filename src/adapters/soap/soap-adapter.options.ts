import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import * as iconv from 'iconv-lite';

/** The string compiles as a JavaScript regular expression. */
function IsRegExp(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRegExp',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            new RegExp(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => '$property must be a valid regular expression',
      },
    },
    validationOptions,
  );
}

/** iconv-lite knows the charset (GBK, GB18030, UTF-8, Big5…). */
function IsCharset(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCharset',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && iconv.encodingExists(value),
        defaultMessage: () => '$property must be a charset iconv-lite knows, e.g. GBK, GB18030, UTF-8',
      },
    },
    validationOptions,
  );
}

export class SoapSecurityOptions {
  /** `none`, or a WS-Security UsernameToken in every request header. */
  @IsIn(['none', 'usernameToken']) type: 'none' | 'usernameToken' = 'none';
  @ValidateIf((o: SoapSecurityOptions) => o.type === 'usernameToken')
  @IsString()
  @MinLength(1)
  username?: string;
  @ValidateIf((o: SoapSecurityOptions) => o.type === 'usernameToken') @IsString() password?: string;
  /** PasswordDigest sends Base64(SHA-1(nonce + created + password)), never the password itself. */
  @IsIn(['PasswordText', 'PasswordDigest']) passwordType: 'PasswordText' | 'PasswordDigest' =
    'PasswordDigest';
  /** Adds wsu:Timestamp (Created/Expires) to the Security header, as most WSS stacks expect. */
  @IsBoolean() timestamp: boolean = true;
  /** Marks the Security header soap:mustUnderstand="1". */
  @IsBoolean() mustUnderstand: boolean = false;
}

export class SoapTlsOptions {
  /** PEM CA bundle (file, relative to the config directory) for the department's private CA. */
  @IsOptional() @IsString() ca?: string;
  /** Client certificate and key (PEM files) for mutual TLS. */
  @IsOptional() @IsString() cert?: string;
  @IsOptional() @IsString() key?: string;
  /** Passphrase of the key; take it from the environment (`${HRSS_KEY_PASSPHRASE}`). */
  @IsOptional() @IsString() passphrase?: string;
  /** Server name for SNI and certificate checks when the endpoint is an IP address. */
  @IsOptional() @IsString() servername?: string;
  /** Never turn off outside a lab: it disables the server certificate check. */
  @IsBoolean() rejectUnauthorized: boolean = true;
}

export class SoapFaultRule {
  /** Regular expression tested against the fault code and/or fault string. */
  @IsString() @IsRegExp() match!: string;
  /** Which part of the fault `match` is tested against. */
  @IsIn(['faultcode', 'faultstring', 'either']) field: 'faultcode' | 'faultstring' | 'either' = 'faultcode';
  @IsIn(['permanent', 'transient']) outcome!: 'permanent' | 'transient';
}

export class SoapReceiptOptions {
  /** Dot path in the operation's response to the department's reference number (受理编号). */
  @IsOptional() @IsString() referenceField?: string = 'businessNo';
  /** Dot path to the business result code; omit when the department has none. */
  @IsOptional() @IsString() resultCodeField?: string = 'resultCode';
  /** Result codes that mean accepted; any other code is a permanent refusal. */
  @IsArray() @IsString({ each: true }) successCodes: string[] = ['0000'];
  /** Dot path to the message given as the reason of a refusal. */
  @IsOptional() @IsString() messageField?: string = 'resultMessage';
}

export class SoapStatusOptions {
  /** Request element that carries the delivery id for `statusOperation`. */
  @IsString() requestIdField: string = 'requestId';
  /** Dot paths in the status response. */
  @IsString() statusField: string = 'status';
  @IsOptional() @IsString() referenceField?: string = 'businessNo';
  @IsOptional() @IsString() remarkField?: string = 'remark';
  @IsOptional() @IsString() finishedAtField?: string = 'finishTime';
  /** Fault code pattern meaning "unknown requestId": checkStatus answers undefined. */
  @IsString() @IsRegExp() notFoundFault: string = 'NotFound';
}

/** `adapter.options` of a department with `adapter.type: soap`. */
export class SoapAdapterOptions {
  /** WSDL file relative to the config directory (imports/includes resolve next to it). */
  @IsString() @MinLength(1) wsdl!: string;
  /** Allows an http(s) WSDL and remote imports; off by default so start-up never depends on the network. */
  @IsBoolean() allowRemoteWsdl: boolean = false;
  /** Overrides the WSDL's soap:address (the WSDL usually names a test or internal host). */
  @IsOptional() @IsString() endpoint?: string;
  /** wsdl:service and wsdl:port to use; default the first of each. */
  @IsOptional() @IsString() service?: string;
  @IsOptional() @IsString() port?: string;
  /** 1.2 sends application/soap+xml envelopes; pick the WSDL port of the SOAP 1.2 binding too. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? value.toFixed(1) : value))
  @IsIn(['1.1', '1.2'])
  soapVersion: '1.1' | '1.2' = '1.1';
  /** Operation that delivers a case. */
  @IsString() @MinLength(1) operation!: string;
  /** Operation that answers checkStatus by delivery id; without it checkStatus is not offered. */
  @IsOptional() @IsString() statusOperation?: string;
  /** Request element set to the delivery id when the mapped message does not set it already. */
  @IsOptional() @IsString() requestIdField?: string = 'requestId';
  @ValidateNested() @Type(() => SoapSecurityOptions) security: SoapSecurityOptions =
    new SoapSecurityOptions();
  /** Extra SOAP header blocks, as literal XML fragments. */
  @IsArray() @IsString({ each: true }) soapHeaders: string[] = [];
  /** Extra HTTP headers on every call. */
  @IsObject() httpHeaders: Record<string, string> = {};
  @IsOptional() @ValidateNested() @Type(() => SoapTlsOptions) tls?: SoapTlsOptions;
  /** Responses larger than this are cut off (socket closed) and retried as BAD_RESPONSE. */
  @IsInt() @Min(1024) @Max(512 * 1024 * 1024) maxResponseBytes: number = 5 * 1024 * 1024;
  /** Deepest element nesting accepted in a response; deeper ones are refused before parsing. */
  @IsInt() @Min(8) @Max(10_000) maxDepth: number = 200;
  /** Tried in order before the defaults (Client/Sender → permanent, Server/Receiver → transient). */
  @IsArray() @ValidateNested({ each: true }) @Type(() => SoapFaultRule) faultRules: SoapFaultRule[] = [];
  @ValidateNested() @Type(() => SoapReceiptOptions) receipt: SoapReceiptOptions = new SoapReceiptOptions();
  @ValidateNested() @Type(() => SoapStatusOptions) status: SoapStatusOptions = new SoapStatusOptions();
  /** Decode responses with this charset whatever the prolog or Content-Type claim (misconfigured servers). */
  @IsOptional() @IsString() @IsCharset() responseEncoding?: string;
  /** Keep-alive connections per endpoint; default twice the department's delivery concurrency. */
  @IsOptional() @IsInt() @Min(1) @Max(1024) maxSockets?: number;
  /** Idle keep-alive sockets are closed after this, below common server idle timeouts (Node 5 s). */
  @IsInt() @Min(100) idleSocketTimeoutMs: number = 4_000;
}
