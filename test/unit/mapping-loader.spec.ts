import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MappingConfigError, type MappingProblem } from '../../src/mappings/mapping-config-error';
import { MappingRegistry } from '../../src/mappings/mapping-registry';
import { RegionTable } from '../../src/regions/region-table';

const regions = RegionTable.load();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const GENDER_TABLE = 'name: test-gender\nversion: 1\nentries:\n  M: "1"\n  F: "2"\n';
const FORM_SCHEMA = JSON.stringify({
  type: 'object',
  properties: {
    reason: { enum: ['A', 'B'] },
    members: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
  },
});

/** A config directory with one code table, one form schema and the given files. */
function configWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-mappings-'));
  dirs.push(dir);
  const all = {
    'codetables/test-gender@1.yaml': GENDER_TABLE,
    'forms/test.schema.json': FORM_SCHEMA,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function problemsOf(dir: string): MappingProblem[] {
  try {
    MappingRegistry.load(dir, regions);
  } catch (error) {
    if (error instanceof MappingConfigError) return error.mappingProblems;
    throw error;
  }
  return [];
}

const forward = (fields: string, extra = ''): string =>
  `id: test-map\ndirection: forward\noutput: json\ncodeTables: [test-gender@1]\n${extra}fields:\n${fields}\n`;

describe('mapping loader', () => {
  it('checks that routes name existing forward mappings', () => {
    const routes =
      'routes:\n  - service: X\n    targets:\n      - department: D\n        mapping: missing-map\n';
    const problems = problemsOf(
      configWith({ 'routes.yaml': routes, 'mappings/test-map.yaml': forward('  a: region.code') }),
    );
    expect(problems).toEqual([
      {
        file: 'routes.yaml',
        field: 'routes[0].targets[0].mapping',
        reason: 'no forward mapping with id missing-map in mappings/',
      },
    ]);
  });

  it('checks examples: exactly one of expect and expectErrors, and the case file exists', () => {
    const text = forward(
      '  a: region.code',
      'examples:\n  - name: both\n    case: {}\n    expect: {}\n    expectErrors: [{ field: a }]\n  - name: file\n    caseFile: examples/none.json\n    expect: {}\n',
    );
    const problems = problemsOf(configWith({ 'mappings/test-map.yaml': text }));
    expect(problems).toEqual([
      {
        file: 'mappings/test-map.yaml',
        field: 'examples[0]',
        reason: 'needs exactly one of expect and expectErrors',
      },
      { file: 'mappings/examples/none.json', field: '', reason: 'file not found' },
    ]);
  });

  it('loads the shipped configuration', () => {
    const registry = MappingRegistry.load(join(__dirname, '../../config'), regions);
    expect(registry.ids()).toEqual(
      expect.arrayContaining([
        'hrss-unemployment',
        'civil-dibao',
        'health-birth',
        'dpf-subsidy',
        'dpf-subsidy-result',
      ]),
    );
    expect(() => registry.forward('dpf-subsidy-result')).toThrow(
      'no forward mapping with id dpf-subsidy-result',
    );
  });
});
