import * as iconv from 'iconv-lite';
import { parseFileDropOptions } from '../../src/adapters/file-drop/file-drop-adapter.options';
import { renderFileName, sanitizeFileNamePart } from '../../src/adapters/file-drop/file-name';
import {
  checkRecordsEncodable,
  encodeText,
  findUnencodable,
  unencodableReason,
} from '../../src/adapters/file-drop/record-encoder';
import { fileText, serializeRecords } from '../../src/adapters/file-drop/record-serializer';

const values = { deliveryId: 'x', batchId: 'b', date: '20250101', seq: '000001' };

describe('file-drop encoding checks', () => {
  it('refuses 𠮷 in GBK, naming the field and the character without showing the rest of the value', () => {
    const found = checkRecordsEncodable([{ 流水号: 'd-1', 姓名: '吉𠮷祥' }], 'gbk');
    expect(found).toMatchObject({ field: '姓名', character: '𠮷', codePoint: 0x20bb7 });
    const reason = unencodableReason(found!, 'gbk');
    expect(reason).toContain('field 姓名');
    expect(reason).toContain('𠮷 (U+20BB7)');
    expect(reason).toContain('GBK');
    expect(reason).toContain('*𠮷*');
    expect(reason).not.toContain('吉');
  });

  it('accepts 𠮷 in GB18030 and UTF-8, with exact bytes', () => {
    expect(checkRecordsEncodable([{ 姓名: '𠮷' }], 'gb18030')).toBeUndefined();
    expect(checkRecordsEncodable([{ 姓名: '𠮷' }], 'utf-8')).toBeUndefined();
    expect(encodeText('𠮷', 'gb18030', 'fail').toString('hex')).toBe('9534b235');
  });

  it('fits 镕 and 堃 (and 䶮) into GBK', () => {
    expect(checkRecordsEncodable([{ 姓名: '朱镕基', 曾用名: '王堃', 备注: '刘䶮' }], 'gbk')).toBeUndefined();
    expect(iconv.decode(encodeText('镕堃', 'gbk', 'fail'), 'gbk')).toBe('镕堃');
  });

  it('checks field names too, and finds the first offending character of a value', () => {
    expect(checkRecordsEncodable([{ '𠮷名': 'a' }], 'gbk')).toMatchObject({
      field: 'field name',
      character: '𠮷',
    });
    expect(findUnencodable('ab𪨶c𠮷', 'gbk')).toEqual({ index: 2, character: '𪨶' });
    expect(findUnencodable('\ud842x', 'utf-8')).toEqual({ index: 0, character: '\ud842' });
  });

  it('escape-ncr writes numeric character references (JSON: \\u escapes) instead of failing', () => {
    const bytes = encodeText('吉𠮷,镕', 'gbk', 'escape-ncr');
    expect(iconv.decode(bytes, 'gbk')).toBe('吉&#134071;,镕');
    expect(iconv.decode(encodeText('{"n":"𠮷"}', 'gbk', 'escape-ncr', 'json'), 'gbk')).toBe(
      '{"n":"\\ud842\\udfb7"}',
    );
    expect(JSON.parse(iconv.decode(encodeText('{"n":"𠮷"}', 'gbk', 'escape-ncr', 'json'), 'gbk'))).toEqual({
      n: '𠮷',
    });
    // Under `fail` nothing is rewritten: the records were checked before.
    expect(iconv.decode(encodeText('镕', 'gbk', 'fail'), 'gbk')).toBe('镕');
  });

  it('XML with escape-ncr turns into a real character reference', () => {
    const options = parseFileDropOptions({
      target: { type: 'directory', path: '/tmp' },
      format: 'xml',
      encoding: 'gbk',
    });
    const serialized = serializeRecords([[{ 姓名: 'A&B𠮷' }]], options);
    expect(serialized.ok).toBe(true);
    if (!serialized.ok) return;
    const text = iconv.decode(encodeText(fileText(serialized.file), 'gbk', 'escape-ncr'), 'gbk');
    expect(text).toContain('<?xml version="1.0" encoding="GBK"?>');
    expect(text).toContain('<姓名>A&amp;B&#134071;</姓名>');
  });
});

describe('file-drop file names', () => {
  it('cannot be steered out of the inbox by data', () => {
    const name = renderFileName('TB_{deliveryId}.csv', { ...values, deliveryId: '../../etc/passwd' });
    expect(name).toBe('TB_______etc_passwd.csv');
    expect(name).not.toContain('/');
    expect(name).not.toContain('..');
    expect(renderFileName('TB_{deliveryId}.csv', { ...values, deliveryId: 'a/b\\c' })).toBe('TB_a_b_c.csv');
    expect(renderFileName('TB_{deliveryId}.csv', { ...values, deliveryId: 'a\u0000b\nc' })).toBe(
      'TB_a_b_c.csv',
    );
    expect(renderFileName('TB_{deliveryId}.csv', { ...values, deliveryId: '..' })).toBe('TB___.csv');
  });

  it('keeps ids, dates and sequence numbers as they are', () => {
    const id = '0193a0c2-7d2e-7c4b-9f1e-2b1d5e0e8a11';
    expect(renderFileName('TB_{date}_{seq}_{deliveryId}.csv', { ...values, deliveryId: id })).toBe(
      `TB_20250101_000001_${id}.csv`,
    );
    expect(sanitizeFileNamePart('')).toBe('_');
    expect(sanitizeFileNamePart('x'.repeat(100))).toHaveLength(64);
  });

  it('rejects templates with separators, a leading dot, .. or unknown placeholders', () => {
    const options = (fileName: string) => () =>
      parseFileDropOptions({ target: { type: 'directory', path: '/tmp' }, fileName });
    expect(options('TB_{deliveryId}.csv')).not.toThrow();
    expect(options('残联_{date}.csv')).not.toThrow();
    for (const bad of [
      '../TB_{deliveryId}.csv',
      'in/TB.csv',
      '.hidden.csv',
      'a..csv',
      'TB_{caseId}.csv',
      'TB\u0000.csv',
    ]) {
      expect(options(bad)).toThrow(/fileName/);
    }
  });
});

describe('file-drop options', () => {
  it('applies defaults and tells the two target types apart', () => {
    const sftp = parseFileDropOptions({
      target: { type: 'sftp', host: '10.0.0.8', port: '2222', username: 'u', password: 'p', path: 'inbox' },
    });
    expect(sftp.target).toMatchObject({ type: 'sftp', port: 2222, connectTimeoutMs: 10_000 });
    expect(sftp).toMatchObject({
      format: 'csv',
      encoding: 'utf-8',
      unencodable: 'fail',
      mode: 'per-delivery',
      awaitResults: true,
    });
    expect(sftp.csv).toMatchObject({ header: true, delimiter: ',', lineEnding: 'crlf' });
    expect(() => parseFileDropOptions({ target: { type: 'ftp', path: 'x' } })).toThrow(/directory' or 'sftp/);
    expect(() =>
      parseFileDropOptions({ target: { type: 'sftp', host: 'h', username: 'u', path: 'x' } }),
    ).toThrow(/password/);
    expect(() =>
      parseFileDropOptions({ target: { type: 'directory', path: 'x' }, encoding: 'big5' }),
    ).toThrow(/encoding/);
  });
});
