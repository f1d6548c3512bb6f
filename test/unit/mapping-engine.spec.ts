import { context, mapping, sample } from '../support/mapping-fixtures';

describe('mapping engine', () => {
  it('binds $ctx and $case, and keeps the field order', async () => {
    const m = mapping(
      'fields:\n  z: $ctx.deliveryId\n  a: $ctx.now\n  m: $case.externalId\n  d: $ctx.department\n',
    );
    const result = await m.map(sample(), context);
    expect(result).toEqual({
      ok: true,
      message: { z: context.deliveryId, a: '2026-11-20T01:31:00.250Z', m: 'JJ-2026-000123', d: 'TEST' },
    });
    expect(Object.keys((result as { message: object }).message)).toEqual(['z', 'a', 'm', 'd']);
  });

  it('reports a code table miss as an error, never passing the value through', async () => {
    const m = mapping('fields:\n  channel: { expr: acceptedBy.channel, codeTable: t-channel }\n');
    const result = await m.map(
      { ...sample(), acceptedBy: { operatorId: 'o', stationId: 's', channel: 'TV' } },
      context,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          field: 'channel',
          reason: 'code table t-channel@1 has no entry for canonical value "TV"',
          code: 'CODE_TABLE_MISS',
        },
      ],
    });
  });

  it('reports the same miss from $code inside an expression', async () => {
    const m = mapping("fields:\n  c: \"'CH-' & $code('t-channel', acceptedBy.channel)\"\n");
    expect(await m.map(sample(), context)).toEqual({ ok: true, message: { c: 'CH-1' } });
    const result = await m.map(
      { ...sample(), acceptedBy: { operatorId: 'o', stationId: 's', channel: 'TV' } },
      context,
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [{ field: 'c', reason: expect.stringContaining('no entry for canonical value "TV"') }],
    });
  });

  it('counts maxLength in characters (code points) and never truncates', async () => {
    const m = mapping('fields:\n  name: { expr: applicant.name, maxLength: 3 }\n');
    expect(await m.map(sample({}, { name: '𠮷野家' }), context)).toEqual({
      ok: true,
      message: { name: '𠮷野家' },
    });
    expect(await m.map(sample({}, { name: '𠮷野家家' }), context)).toEqual({
      ok: false,
      errors: [{ field: 'name', reason: 'is 4 characters long, more than maxLength 3', code: 'MAX_LENGTH' }],
    });
  });

  it('treats undefined, null, blank and [] as missing: required error, default, or omitted', async () => {
    const m = mapping(
      [
        'fields:',
        '  a: form.a',
        '  b: { expr: form.b, required: false }',
        "  c: { expr: form.c, default: '00' }",
        '  d: form.d',
        '  e: form.e',
      ].join('\n'),
    );
    const result = await m.map(sample({ a: '   ', b: null, d: [] }), context);
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'a', reason: 'is required, but form.a gave no value', code: 'REQUIRED' },
        { field: 'd', reason: 'is required, but form.d gave no value', code: 'REQUIRED' },
        { field: 'e', reason: 'is required, but form.e gave no value', code: 'REQUIRED' },
      ],
    });
    expect(await m.map(sample({ a: 'x', d: 1, e: false }), context)).toEqual({
      ok: true,
      message: { a: 'x', c: '00', d: 1, e: false },
    });
  });

  it('pads fixed-width values and refuses values wider than the pad', async () => {
    const m = mapping(
      "fields:\n  seq: { expr: form.seq, pad: { width: 6, char: '0', side: left } }\n  name: { expr: applicant.name, pad: { width: 4 } }\n",
    );
    expect(await m.map(sample({ seq: 42 }), context)).toEqual({
      ok: true,
      message: { seq: '000042', name: '张三  ' },
    });
    expect(await m.map(sample({ seq: 1234567 }), context)).toMatchObject({
      ok: false,
      errors: [
        { field: 'seq', reason: 'is 7 characters long, wider than the pad width 6', code: 'PAD_WIDTH' },
      ],
    });
  });

  it('runs expressions outside the fast subset with JSONata, with the same results and error order', async () => {
    const m = mapping(
      [
        'fields:',
        '  upper: $uppercase(applicant.idType)',
        '  names: form.members.name',
        '  count: $count(form.members)',
        '  first: { expr: applicant.name, maxLength: 1 }',
        "  joined: $join(form.members.name, '、')",
        '  bad: { expr: $number(form.text), required: true }',
      ].join('\n'),
    );
    const result = await m.map(sample({ members: [{ name: '甲' }, { name: '乙' }], text: 'abc' }), context);
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'first', reason: 'is 2 characters long, more than maxLength 1', code: 'MAX_LENGTH' },
        {
          field: 'bad',
          reason: expect.stringContaining('Unable to cast value to a number'),
          code: 'EXPRESSION',
        },
      ],
    });
    const ok = await m.map(
      sample({ members: [{ name: '甲' }, { name: '乙' }], text: '12' }, { name: '张' }),
      context,
    );
    expect(ok).toEqual({
      ok: true,
      message: {
        upper: 'RESIDENT_ID',
        names: ['甲', '乙'],
        count: 2,
        first: '张',
        joined: '甲、乙',
        bad: 12,
      },
    });
    expect(JSON.stringify(ok)).not.toContain('sequence');
  });

  it('record output: every column a string, an absent optional one empty', async () => {
    const m = mapping(
      'fields:\n  数量: form.n\n  标志: form.flag\n  电话: { expr: applicant.phone, required: false }\n',
      'record',
    );
    expect(await m.map(sample({ n: 3, flag: true }), context)).toEqual({
      ok: true,
      message: { 数量: '3', 标志: 'true', 电话: '' },
    });
  });

  it('xml output: the tree serialised under its one root element, text escaped', async () => {
    const m = mapping(
      "fields:\n  Root:\n    '@_version': \"'1'\"\n    name: applicant.name\n    note: form.note\n    items:\n      each: form.items\n      fields:\n        v: $\n",
      'xml',
    );
    expect(await m.map(sample({ note: 'A&B <C>', items: ['x', 'y'] }), context)).toEqual({
      ok: true,
      message:
        '<Root version="1"><name>张三</name><note>A&amp;B &lt;C&gt;</note><items><v>x</v></items><items><v>y</v></items></Root>',
    });
  });

  it('turns an invalid now into an error instead of throwing', async () => {
    const m = mapping('fields:\n  a: region.code\n');
    expect(await m.map(sample(), { ...context, now: new Date('nope') })).toMatchObject({
      ok: false,
      errors: [{ field: '$ctx.now' }],
    });
  });
});
