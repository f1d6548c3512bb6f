import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CanonicalCase } from '../../src/gateway/intake/canonical-case';
import { MappingRegistry } from '../../src/mappings/mapping-registry';
import type { MappingContext } from '../../src/mappings/mapping-types';
import { RegionTable } from '../../src/regions/region-table';

const regions = RegionTable.load();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TABLES: Record<string, string> = {
  'codetables/t-relation@1.yaml': 'name: t-relation\nversion: 1\nentries:\n  SPOUSE: 配偶\n  CHILD: 子女\n',
  'codetables/t-relation@2.yaml': 'name: t-relation\nversion: "2"\nentries:\n  SPOUSE: "10"\n  CHILD: "20"\n',
  'codetables/t-kind@1.yaml': 'name: t-kind\nversion: 1\nentries:\n  ID_CARD_COPY: A01\n  PHOTO: A02\n',
  'codetables/t-channel@1.yaml': 'name: t-channel\nversion: 1\nentries:\n  WINDOW: "1"\n',
};

/** Compiles one forward mapping from YAML (fields etc. after the header). */
function mapping(body: string, output = 'json', tables = '[t-relation@1, t-kind@1, t-channel@1]') {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-engine-'));
  dirs.push(dir);
  const files = {
    ...TABLES,
    'mappings/m.yaml': `id: m\ndirection: forward\noutput: ${output}\ncodeTables: ${tables}\n${body}`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return MappingRegistry.load(dir, regions).forward('m');
}

const context: MappingContext = {
  deliveryId: '0190f5e2-7c1a-7000-8000-00000000a001',
  caseId: '0190f5e2-7c1a-7000-8000-0000000000c1',
  department: 'TEST',
  now: new Date('2026-11-20T01:31:00.250Z'),
};

function sample(form: Record<string, unknown> = {}, applicant: Record<string, unknown> = {}): CanonicalCase {
  return {
    schemaVersion: 1,
    externalId: 'JJ-2026-000123',
    source: 'test',
    serviceCode: 'CIVIL-DIBAO',
    region: { code: '510104017003' },
    applicant: { name: '张三', idType: 'RESIDENT_ID', idNumber: '510104198503122315', ...applicant },
    acceptedAt: '2026-11-20T09:30:00+08:00',
    acceptedBy: { operatorId: 'op-1', stationId: 'st-1', channel: 'WINDOW' },
    form,
  };
}

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
