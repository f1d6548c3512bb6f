import {
  codePointLength,
  hasControlCharacters,
  isPersonName,
  normalizeJsonInput,
} from '../../src/gateway/validation/text-normalization';

const OPTIONS = { maxDepth: 32 };

describe('normalizeJsonInput', () => {
  it.each([
    ['trims ASCII', '  abc \n', 'abc'],
    ['trims ideographic spaces and NBSP', '\u3000张三\u00a0', '张三'],
    ['composes e + combining acute', 'e\u0301', '\u00e9'],
    ['composes Hangul jamo', '\u1100\u1161', '\uac00'],
    ['keeps characters outside the BMP', ' 𠮷野家 ', '𠮷野家'],
    ['keeps inner whitespace', 'a  b', 'a  b'],
  ])('%s', (_case, input, expected) => {
    expect(normalizeJsonInput(input, OPTIONS)).toEqual({ value: expected, problems: [] });
  });

  it('returns a new object and leaves the input alone', () => {
    const input = JSON.parse('{"applicant":{"name":" e\\u0301 ","tags":[" a ",1,true,null]},"n":1.5}');
    const { value, problems } = normalizeJsonInput(input, OPTIONS);
    expect(problems).toEqual([]);
    expect(value).toEqual({ applicant: { name: '\u00e9', tags: ['a', 1, true, null] }, n: 1.5 });
    expect(value).not.toBe(input);
    expect((value as typeof input).applicant).not.toBe(input.applicant);
    expect(input.applicant.name).toBe(' e\u0301 ');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Array.isArray((value as typeof input).applicant.tags)).toBe(true);
  });

  it('preserves key order', () => {
    const { value } = normalizeJsonInput(JSON.parse('{"b":1,"a":2,"c":{"z":1,"y":2}}'), OPTIONS);
    expect(JSON.stringify(value)).toBe('{"b":1,"a":2,"c":{"z":1,"y":2}}');
  });

  it('reports and replaces unpaired surrogates', () => {
    const input = JSON.parse('{"applicant":{"name":"ab\\ud800c"},"list":["\\udc00", "\\ud842\\udfb7"]}');
    const { value, problems } = normalizeJsonInput(input, OPTIONS);
    expect(problems).toEqual([
      { pointer: '/applicant/name', reason: 'not valid Unicode: unpaired surrogate' },
      { pointer: '/list/0', reason: 'not valid Unicode: unpaired surrogate' },
    ]);
    expect(value).toEqual({ applicant: { name: 'ab\ufffdc' }, list: ['\ufffd', '𠮷'] });
  });

  it('drops forbidden keys without polluting prototypes', () => {
    const input = JSON.parse(
      '{"__proto__":{"x":1},"a":{"constructor":{"prototype":{"y":2}},"prototype":3},"b":2}',
    );
    const { value, problems } = normalizeJsonInput(input, OPTIONS);
    expect(problems).toEqual([
      { pointer: '/__proto__', reason: 'forbidden property name' },
      { pointer: '/a/constructor', reason: 'forbidden property name' },
      { pointer: '/a/prototype', reason: 'forbidden property name' },
    ]);
    expect(value).toEqual({ a: {}, b: 2 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
    expect((value as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ['objects', (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), 'a'],
    ['arrays', (depth: number) => '['.repeat(depth) + ']'.repeat(depth), '0'],
  ])('survives 10,000-deep %s with one depth problem', (_kind, build, token) => {
    const input = JSON.parse(build(10_000));
    let result: ReturnType<typeof normalizeJsonInput> | undefined;
    expect(() => (result = normalizeJsonInput(input, OPTIONS))).not.toThrow();
    // The 33rd container (levels count from the root at 1) is the first too deep.
    expect(result?.problems).toEqual([
      { pointer: `/${token}`.repeat(32), reason: 'nesting deeper than 32 levels' },
    ]);
    let node = result?.value;
    for (let level = 0; level < 32; level++) node = (node as Record<string, unknown>)[token];
    expect(node).toBeNull();
  });

  it('counts levels from the root container', () => {
    expect(normalizeJsonInput({ a: { b: 1 } }, { maxDepth: 2 }).problems).toEqual([]);
    expect(normalizeJsonInput({ a: { b: {} } }, { maxDepth: 2 }).problems).toEqual([
      { pointer: '/a/b', reason: 'nesting deeper than 2 levels' },
    ]);
    expect(normalizeJsonInput([], { maxDepth: 0 })).toEqual({
      value: null,
      problems: [{ pointer: '', reason: 'nesting deeper than 0 levels' }],
    });
  });

  it('reports depth once even when several branches are too deep', () => {
    const { value, problems } = normalizeJsonInput({ a: [[1]], b: [[2]] }, { maxDepth: 2 });
    expect(problems).toEqual([{ pointer: '/a/0', reason: 'nesting deeper than 2 levels' }]);
    expect(value).toEqual({ a: [null], b: [null] });
  });

  it('escapes "~" and "/" in pointers (RFC 6901)', () => {
    const input = JSON.parse('{"a/b":{"m~n":{"~/":" \\ud800"}},"":{"__proto__":1}}');
    expect(normalizeJsonInput(input, OPTIONS).problems).toEqual([
      { pointer: '/a~1b/m~0n/~0~1', reason: 'not valid Unicode: unpaired surrogate' },
      { pointer: '//__proto__', reason: 'forbidden property name' },
    ]);
  });

  it('limits properties per object', () => {
    const { value, problems } = normalizeJsonInput(
      { o: { a: 1, b: 2, c: 3 }, p: 1 },
      { maxDepth: 5, maxKeys: 2 },
    );
    expect(problems).toEqual([{ pointer: '/o', reason: 'more than 2 properties' }]);
    expect(value).toEqual({ o: { a: 1, b: 2 }, p: 1 });
  });

  it('caps the number of problems listed', () => {
    const input = Array.from({ length: 1000 }, () => '\ud800');
    const { problems } = normalizeJsonInput(input, { maxDepth: 5, maxProblems: 3 });
    expect(problems.map((p) => p.pointer)).toEqual(['/0', '/1', '/2', '']);
    expect(problems[3].reason).toBe('more than 3 problems; the rest are not listed');
  });

  it('reports values JSON cannot carry', () => {
    const { value, problems } = normalizeJsonInput({ n: Number.NaN, u: undefined, f: () => 1 }, OPTIONS);
    expect(problems).toEqual([
      { pointer: '/n', reason: 'not a JSON value' },
      { pointer: '/u', reason: 'not a JSON value' },
      { pointer: '/f', reason: 'not a JSON value' },
    ]);
    expect(value).toEqual({ n: null, u: null, f: null });
  });
});

describe('hasControlCharacters', () => {
  it.each([
    ['plain', "张三 O'Brien", false],
    ['NUL', 'a\u0000b', true],
    ['tab', 'a\tb', true],
    ['newline', 'a\nb', true],
    ['DEL', 'a\u007fb', true],
    ['C1 NEL', 'a\u0085b', true],
    ['C1 end', 'a\u009fb', true],
    ['NBSP (not a control)', 'a\u00a0b', false],
    ['RLO', 'a\u202eb', true],
    ['LRE', 'a\u202ab', true],
    ['LRI', 'a\u2066b', true],
    ['PDI', 'a\u2069b', true],
    ['ZWJ in emoji (not a control)', '👩\u200d💻', false],
    ['empty', '', false],
  ])('%s', (_case, input, expected) => {
    expect(hasControlCharacters(input)).toBe(expected);
  });
});

describe('codePointLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['张三', 2],
    ['𠮷野家', 3],
    ['e\u0301', 2],
    ['\ud800', 1],
    ['\udc00\ud800', 2],
    ['a\ud842\udfb7', 2],
  ])('%p -> %p', (input, expected) => {
    expect(codePointLength(input)).toBe(expected);
  });
});

describe('isPersonName', () => {
  it.each([
    '张三',
    '𠮷野家',
    '阿依古丽·买买提',
    '阿依古丽・买买提',
    '阿依古丽•买买提',
    '阿依古丽‧买买提',
    "O'Brien",
    'O\u2019Brien',
    'Anne-Marie Li',
    'José',
    'Jose\u0301',
    'Nguyễn Văn An',
    '김민준',
    'Алексей',
    'محمد',
    '李〇',
    '乜',
    'a'.repeat(50),
    '𠮷'.repeat(50),
  ])('accepts %p', (name) => {
    expect(isPersonName(name)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['digits only', '12345'],
    ['digits inside', '张3'],
    ['control character', '张\u0000三'],
    ['newline', '张\n三'],
    ['bidi override', '张\u202e三'],
    ['markup', '<script>'],
    ['51 code points', 'a'.repeat(51)],
    ['51 astral code points', '𠮷'.repeat(51)],
    ['leading space', ' 张三'],
    ['trailing hyphen', 'Anne-'],
    ['leading dot', '·买买提'],
    ['doubled separator', 'Anne--Marie'],
    ['space then hyphen', 'Anne -Marie'],
    ['leading combining mark', '\u0301a'],
    ['full stop', '阿依古丽.买买提'],
    ['full-width full stop', '阿依古丽．买买提'],
    ['emoji', '张三😀'],
    ['unpaired surrogate', '张\ud800'],
    ['SQL', "' OR 1=1 --"],
  ])('rejects %s', (_case, name) => {
    expect(isPersonName(name)).toBe(false);
  });
});
