export * from './file-drop.adapter';
export * from './file-drop-adapter.options';
export { sanitizeFileNamePart, renderFileName } from './file-name';
export { checkRecordsEncodable, encodeText, findUnencodable, unencodableReason } from './record-encoder';
export { batchIdFor } from './batch-accumulator';
