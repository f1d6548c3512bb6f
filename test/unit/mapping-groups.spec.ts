import { context, mapping, sample } from '../support/mapping-fixtures';

describe('mapping engine: repeating groups', () => {
  const groups = [
    'fields:',
    '  members:',
    '    each: form.members',
    '    fields:',
    '      relation: { expr: relation, codeTable: t-relation }',
    '      name: name',
    '      household: $case.externalId',
    '      docs:',
    '        each: attachments',
    '        fields:',
    '          kind: { expr: type, codeTable: t-kind }',
  ].join('\n');

  it('maps each element with its own code tables, nested groups included', async () => {
    const m = mapping(groups);
    const form = {
      members: [
        { relation: 'SPOUSE', name: '陈伟', attachments: [{ type: 'ID_CARD_COPY' }, { type: 'PHOTO' }] },
        { relation: 'CHILD', name: '陈小明' },
      ],
    };
    expect(await m.map(sample(form), context)).toEqual({
      ok: true,
      message: {
        members: [
          {
            relation: '配偶',
            name: '陈伟',
            household: 'JJ-2026-000123',
            docs: [{ kind: 'A01' }, { kind: 'A02' }],
          },
          { relation: '子女', name: '陈小明', household: 'JJ-2026-000123', docs: [] },
        ],
      },
    });
  });

  it('gives [] for no elements and treats a single object as one element', async () => {
    const m = mapping(groups);
    expect(await m.map(sample({}), context)).toEqual({ ok: true, message: { members: [] } });
    expect(await m.map(sample({ members: { relation: 'CHILD', name: '甲' } }), context)).toEqual({
      ok: true,
      message: { members: [{ relation: '子女', name: '甲', household: 'JJ-2026-000123', docs: [] }] },
    });
  });

  it('names the element in errors and reports every element', async () => {
    const m = mapping(groups);
    const form = {
      members: [
        { relation: 'COUSIN', name: '甲' },
        { relation: 'CHILD' },
        { relation: 'X', name: '丙', attachments: [{ type: 'Z' }] },
      ],
    };
    expect(await m.map(sample(form), context)).toEqual({
      ok: false,
      errors: [
        {
          field: 'members[0].relation',
          reason: expect.stringContaining('"COUSIN"'),
          code: 'CODE_TABLE_MISS',
        },
        { field: 'members[1].name', reason: 'is required, but name gave no value', code: 'REQUIRED' },
        { field: 'members[2].relation', reason: expect.stringContaining('"X"'), code: 'CODE_TABLE_MISS' },
        {
          field: 'members[2].docs[0].kind',
          reason: expect.stringContaining('"Z"'),
          code: 'CODE_TABLE_MISS',
        },
      ],
    });
  });

  it('can require at least one element and filter with JSONata', async () => {
    const m = mapping(
      "fields:\n  spouses:\n    each: form.members[relation = 'SPOUSE']\n    required: true\n    fields:\n      name: name\n",
    );
    expect(await m.map(sample({ members: [{ relation: 'CHILD', name: '乙' }] }), context)).toEqual({
      ok: false,
      errors: [
        {
          field: 'spouses',
          reason: "needs at least one element, but form.members[relation = 'SPOUSE'] gave none",
          code: 'REQUIRED',
        },
      ],
    });
    const two = {
      members: [
        { relation: 'SPOUSE', name: '甲' },
        { relation: 'SPOUSE', name: '乙' },
      ],
    };
    expect(await m.map(sample(two), context)).toEqual({
      ok: true,
      message: { spouses: [{ name: '甲' }, { name: '乙' }] },
    });
  });

  it('uses the version of a code table the file names', async () => {
    const m = mapping(
      groups.replace(
        '      docs:\n        each: attachments\n        fields:\n          kind: { expr: type, codeTable: t-kind }',
        '',
      ),
      'json',
      '[t-relation@2]',
    );
    expect(await m.map(sample({ members: [{ relation: 'CHILD', name: '甲' }] }), context)).toEqual({
      ok: true,
      message: { members: [{ relation: '20', name: '甲', household: 'JJ-2026-000123' }] },
    });
  });
});
