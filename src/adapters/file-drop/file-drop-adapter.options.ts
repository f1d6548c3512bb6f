import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { flattenValidationErrors, toDottedPath } from '../../common/validation/flatten-validation-errors';
import { FILE_NAME_TEMPLATE } from './file-name';

export const TEXT_ENCODINGS = ['utf-8', 'gbk', 'gb18030'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];
export const FILE_FORMATS = ['csv', 'xml', 'json'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];
export type UnencodablePolicy = 'fail' | 'escape-ncr';

const TARGET_TYPE_MESSAGE = "target.type must be 'directory' or 'sftp'";

/** The inbox is a local (or mounted) directory. */
export class DirectoryTargetOptions {
  @IsIn(['directory'], { message: TARGET_TYPE_MESSAGE }) type = 'directory' as const;
  /** The department's inbox directory; relative paths resolve against the working directory. */
  @IsString() @IsNotEmpty() path!: string;
}

/** The inbox is a folder on the department's SFTP server. */
export class SftpTargetOptions {
  @IsIn(['sftp'], { message: TARGET_TYPE_MESSAGE }) type = 'sftp' as const;
  @IsString() @IsNotEmpty() host!: string;
  /** Environment placeholders arrive as strings, hence the conversion. */
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) port: number = 22;
  @IsString() @IsNotEmpty() username!: string;
  /** Password authentication; required unless privateKeyFile is set. */
  @ValidateIf((o: SftpTargetOptions) => o.privateKeyFile === undefined)
  @IsString()
  @IsNotEmpty()
  password?: string;
  /** OpenSSH private key, relative to the config directory. */
  @IsOptional() @IsString() @IsNotEmpty() privateKeyFile?: string;
  @IsOptional() @IsString() passphrase?: string;
  /** Pins the server's host key (`SHA256:…` as printed by ssh-keygen -l); unpinned keys are accepted with a warning. */
  @IsOptional() @Matches(/^SHA256:[A-Za-z0-9+/]{43}=?$/) hostFingerprint?: string;
  /** Remote inbox folder; relative paths start at the login directory. */
  @IsString() @IsNotEmpty() path!: string;
  @Type(() => Number) @IsInt() @Min(100) connectTimeoutMs: number = 10_000;
  /** Upper bound for one SFTP operation; on expiry the connection is dropped (its state is unknown). */
  @Type(() => Number) @IsInt() @Min(100) operationTimeoutMs: number = 30_000;
  /** The connection is reused between deliveries and closed after this long without use. */
  @Type(() => Number) @IsInt() @Min(0) idleCloseMs: number = 60_000;
}

export type FileDropTarget = DirectoryTargetOptions | SftpTargetOptions;

export class CsvFormatOptions {
  @IsBoolean() header: boolean = true;
  @IsString() @Length(1, 4) delimiter: string = ',';
  @IsString() @Length(1, 1) quote: string = '"';
  /** Quote every field, not only those holding the delimiter, a quote or a line break. */
  @IsBoolean() quoteAll: boolean = false;
  @IsIn(['crlf', 'lf']) lineEnding: 'crlf' | 'lf' = 'crlf';
  /** Column order; by default the record keys in first-seen order. Records may not carry other keys. */
  @IsOptional() @IsArray() @ArrayNotEmpty() @IsString({ each: true }) columns?: string[];
}

const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

export class XmlFormatOptions {
  @Matches(XML_NAME) rootElement: string = 'records';
  @Matches(XML_NAME) recordElement: string = 'record';
  @IsBoolean() declaration: boolean = true;
}

export class BatchOptions {
  /** A batch file is written once it holds this many records… */
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000) maxRecords: number = 500;
  /** …or this long after its first record arrived. Keep it well below delivery.timeoutMs. */
  @Type(() => Number) @IsInt() @Min(10) maxWaitMs: number = 10_000;
  /** Local directory of the batch journal; default `.tongban/state/file-drop/<department>`. */
  @IsOptional() @IsString() @IsNotEmpty() stateDir?: string;
  /** Journal entries older than this are dropped on start (redeliveries stop long before). */
  @Type(() => Number) @IsInt() @Min(1) journalRetentionDays: number = 30;
}

const isStatusMap = (value: unknown): boolean =>
  value !== null &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string' && v.length > 0);

export class ResultOptions {
  /** Glob (`*`, `?`) for result file names in resultsPath. */
  @IsString() @IsNotEmpty() pattern: string = 'RESULT_*.csv';
  /** Column holding the delivery id (the idempotency key Tongban sent). */
  @IsString() @IsNotEmpty() idColumn: string = '流水号';
  /** Column holding the department's status code; without it, status is `UNKNOWN` for the reverse mapping to decide. */
  @IsOptional() @IsString() @IsNotEmpty() statusColumn?: string;
  /** Built-in code → canonical status for departments without a reverse mapping; `RESEND` asks for redelivery. */
  @IsOptional()
  @ValidateBy({
    name: 'isStatusMap',
    validator: { validate: isStatusMap, defaultMessage: () => 'must map codes to non-empty strings' },
  })
  statusMap?: Record<string, string>;
  @IsOptional() @IsString() @IsNotEmpty() referenceColumn?: string;
  @IsOptional() @IsString() @IsNotEmpty() remarkColumn?: string;
  /** `yyyy-MM-dd HH:mm:ss` in the department's time zone, reported as ISO 8601. */
  @IsOptional() @IsString() @IsNotEmpty() finishedAtColumn?: string;
  /** A result file is read only after its size and mtime stayed unchanged this long (it may still be growing). */
  @Type(() => Number) @IsInt() @Min(0) settleMs: number = 2_000;
  @Type(() => Number) @IsInt() @Min(1) maxFilesPerRun: number = 50;
}

export class FileDropAdapterOptions {
  @ValidateNested()
  @Type(() => DirectoryTargetOptions, {
    keepDiscriminatorProperty: true,
    discriminator: {
      property: 'type',
      subTypes: [
        { value: DirectoryTargetOptions, name: 'directory' },
        { value: SftpTargetOptions, name: 'sftp' },
      ],
    },
  })
  target!: FileDropTarget;

  /** Where the department leaves result files (same directory tree or SFTP server as the target). */
  @IsOptional() @IsString() @IsNotEmpty() resultsPath?: string;
  /** Processed result files move here; default `<resultsPath>/archive`. */
  @IsOptional() @IsString() @IsNotEmpty() archivePath?: string;

  @IsIn(FILE_FORMATS) format: FileFormat = 'csv';
  @ValidateNested() @Type(() => CsvFormatOptions) csv: CsvFormatOptions = new CsvFormatOptions();
  @ValidateNested() @Type(() => XmlFormatOptions) xml: XmlFormatOptions = new XmlFormatOptions();

  @IsIn(TEXT_ENCODINGS) encoding: TextEncoding = 'utf-8';
  /** `fail`: a character the encoding cannot hold fails the delivery permanently; `escape-ncr` writes `&#NNNNN;` (JSON: `\uXXXX`). */
  @IsIn(['fail', 'escape-ncr']) unencodable: UnencodablePolicy = 'fail';

  /** Placeholders `{deliveryId}` (batch mode: the batch id), `{batchId}`, `{date}` (yyyyMMdd), `{seq}`. */
  @Matches(FILE_NAME_TEMPLATE, {
    message:
      'fileName may hold letters, digits, _ - . and {deliveryId} {batchId} {date} {seq}; no leading dot or ".."',
  })
  fileName: string = 'TB_{deliveryId}.csv';

  @IsIn(['per-delivery', 'batch']) mode: 'per-delivery' | 'batch' = 'per-delivery';
  @ValidateNested() @Type(() => BatchOptions) batch: BatchOptions = new BatchOptions();

  /** true: deliveries end `queued` until a result file reports them; false: `delivered` once the file is in place. */
  @IsBoolean() awaitResults: boolean = true;
  @ValidateNested() @Type(() => ResultOptions) results: ResultOptions = new ResultOptions();
}

/** Validates raw `adapter.options` the way the config loader does (for tests and tools); throws listing every problem. */
export function parseFileDropOptions(raw: Record<string, unknown>): FileDropAdapterOptions {
  const options = plainToInstance(FileDropAdapterOptions, raw, { exposeDefaultValues: true });
  const errors = validateSync(options, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const problems = flattenValidationErrors(errors).map((p) => `${toDottedPath(p.segments)}: ${p.reason}`);
    throw new Error(`invalid file-drop options: ${problems.join('; ')}`);
  }
  return options;
}
