import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CanonicalCase } from '../../src/gateway/intake/canonical-case';
import { MappingConfigError, type MappingProblem } from '../../src/mappings/mapping-config-error';
import { MappingRegistry } from '../../src/mappings/mapping-registry';
import type { CompiledMapping, MappingContext } from '../../src/mappings/mapping-types';
import { RegionTable } from '../../src/regions/region-table';

export const regions = RegionTable.load();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temporary config directory holding exactly these files. */
export function configWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-mappings-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Every problem start-up finds in a config directory's mappings. */
export function problemsOf(dir: string): MappingProblem[] {
  try {
    MappingRegistry.load(dir, regions);
  } catch (error) {
    if (error instanceof MappingConfigError) return error.mappingProblems;
    throw error;
  }
  return [];
}

const GENDER_TABLE = 'name: test-gender\nversion: 1\nentries:\n  M: "1"\n  F: "2"\n';
const FORM_SCHEMA = JSON.stringify({
  type: 'object',
  properties: {
    reason: { enum: ['A', 'B'] },
    members: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
  },
});

/** A config directory with a `test-gender@1` code table, a `forms/test.schema.json` and the given files. */
export function configWithGenderTable(files: Record<string, string>): string {
  return configWith({
    'codetables/test-gender@1.yaml': GENDER_TABLE,
    'forms/test.schema.json': FORM_SCHEMA,
    ...files,
  });
}

/** A forward mapping `test-map` using `test-gender@1`, with the given fields (and header lines). */
export const forward = (fields: string, extra = ''): string =>
  `id: test-map\ndirection: forward\noutput: json\ncodeTables: [test-gender@1]\n${extra}fields:\n${fields}\n`;

const TABLES: Record<string, string> = {
  'codetables/t-relation@1.yaml': 'name: t-relation\nversion: 1\nentries:\n  SPOUSE: 配偶\n  CHILD: 子女\n',
  'codetables/t-relation@2.yaml': 'name: t-relation\nversion: "2"\nentries:\n  SPOUSE: "10"\n  CHILD: "20"\n',
  'codetables/t-kind@1.yaml': 'name: t-kind\nversion: 1\nentries:\n  ID_CARD_COPY: A01\n  PHOTO: A02\n',
  'codetables/t-channel@1.yaml': 'name: t-channel\nversion: 1\nentries:\n  WINDOW: "1"\n',
};

/** Compiles one forward mapping from YAML (fields etc. after the header), with test code tables. */
export function mapping(
  body: string,
  output = 'json',
  tables = '[t-relation@1, t-kind@1, t-channel@1]',
): CompiledMapping {
  const dir = configWith({
    ...TABLES,
    'mappings/m.yaml': `id: m\ndirection: forward\noutput: ${output}\ncodeTables: ${tables}\n${body}`,
  });
  return MappingRegistry.load(dir, regions).forward('m');
}

export const context: MappingContext = {
  deliveryId: '0190f5e2-7c1a-7000-8000-00000000a001',
  caseId: '0190f5e2-7c1a-7000-8000-0000000000c1',
  department: 'TEST',
  now: new Date('2026-11-20T01:31:00.250Z'),
};

export function sample(
  form: Record<string, unknown> = {},
  applicant: Record<string, unknown> = {},
): CanonicalCase {
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
