import * as iconv from 'iconv-lite';
import { parseFileDropOptions } from '../../src/adapters/file-drop/file-drop-adapter.options';
import { globToRegExp, isTempName } from '../../src/adapters/file-drop/file-name';
import { toRecords } from '../../src/adapters/file-drop/flat-record';
import { encodeText } from '../../src/adapters/file-drop/record-encoder';
import { fileText, serializeRecords } from '../../src/adapters/file-drop/record-serializer';
import { parseResultFile } from '../../src/adapters/file-drop/result-parser';

const settings = (extra: Record<string, unknown>) =>
  parseFileDropOptions({ target: { type: 'directory', path: '/tmp' }, encoding: 'gbk', ...extra });

function render(extra: Record<string, unknown>, groups: Record<string, string | number | null>[][]): string {
  const result = serializeRecords(groups, settings(extra));
  if (!result.ok) throw new Error(result.reason);
  return fileText(result.file);
}

describe('file-drop formats', () => {
  it('CSV: delimiter, quote-all, LF, configured column order with empty cells for missing keys', () => {
    const text = render(
      { csv: { delimiter: ';', quoteAll: true, lineEnding: 'lf', columns: ['b', 'a', 'c'] } },
      [[{ a: 'x;y', b: 1 }], [{ c: null, a: 'z' }]],
    );
    expect(text).toBe('"b";"a";"c"\n"1";"x;y";""\n"";"z";""\n');
    expect(serializeRecords([[{ d: 'x' }]], settings({ csv: { columns: ['a'] } }))).toEqual({
      ok: false,
      reason: 'field d is not among the configured CSV columns',
    });
  });

  it('CSV without a header row; results then need configured columns', () => {
    const options = settings({ csv: { header: false, columns: ['流水号', '处理结果'] } });
    expect(render({ csv: { header: false } }, [[{ a: '1', b: '2' }]])).toBe('1,2\r\n');
    expect(parseResultFile(iconv.encode('d-1,01\r\n', 'gbk'), options)).toEqual([
      { 流水号: 'd-1', 处理结果: '01' },
    ]);
  });

  it('XML: declared encoding, escaped text, valid element names only; results read back as text', () => {
    const options = settings({ format: 'xml', xml: { rootElement: '批次', recordElement: '记录' } });
    const text = render({ format: 'xml', xml: { rootElement: '批次', recordElement: '记录' } }, [
      [{ 流水号: 'd<1>', 处理结果: '01' }],
    ]);
    expect(text).toBe(
      '<?xml version="1.0" encoding="GBK"?>\n<批次>\n  <记录><流水号>d&lt;1&gt;</流水号><处理结果>01</处理结果></记录>\n</批次>\n',
    );
    expect(parseResultFile(encodeText(text, 'gbk', 'fail'), options)).toEqual([
      { 流水号: 'd<1>', 处理结果: '01' },
    ]);
    expect(serializeRecords([[{ '1a': 'x' }]], options).ok).toBe(false);
    expect(serializeRecords([[{ a: 'bell\u0007' }]], options)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('field a'),
    });
  });

  it('JSON: one array across deliveries, numbers stay numbers; results as array or {records}', () => {
    const options = settings({ format: 'json' });
    expect(render({ format: 'json' }, [[{ a: 1 }, { a: 2 }], [{ a: 'x' }]])).toBe(
      '[{"a":1},{"a":2},{"a":"x"}]\n',
    );
    expect(
      parseResultFile(Buffer.from('{"records":[{"id":"d-1","code":1}]}'), { ...options, encoding: 'utf-8' }),
    ).toEqual([{ id: 'd-1', code: '1' }]);
  });

  it('accepts flat records only', () => {
    expect(toRecords([{ a: 1 }, { b: 'x', c: null }])).toEqual({
      ok: true,
      records: [{ a: 1 }, { b: 'x', c: null }],
    });
    expect(toRecords([])).toMatchObject({ ok: false });
    expect(toRecords({ a: { b: 1 } })).toEqual({
      ok: false,
      reason: 'record field a is not a string or number',
    });
    expect(toRecords([{ a: 1 }, 'x'])).toEqual({
      ok: false,
      reason: 'record[1] is not an object of field values',
    });
    expect(toRecords({ a: Number.NaN })).toMatchObject({ ok: false });
  });

  it('matches result names by glob and skips temp names', () => {
    const pattern = globToRegExp('RESULT_*.csv');
    expect(pattern.test('RESULT_20250301.csv')).toBe(true);
    expect(pattern.test('RESULT_20250301.csv.part')).toBe(false);
    expect(pattern.test('XRESULT_1.csv')).toBe(false);
    expect(globToRegExp('R?.(x)').test('R1.(x)')).toBe(true);
    expect(isTempName('.RESULT_1.csv')).toBe(true);
    expect(isTempName('RESULT_1.csv.tmp')).toBe(true);
    expect(isTempName('RESULT_1.csv')).toBe(false);
  });
});
