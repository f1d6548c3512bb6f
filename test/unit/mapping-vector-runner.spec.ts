import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMappingsTestCli } from '../../src/cli/mappings-test';
import { MappingRegistry } from '../../src/mappings/mapping-registry';
import { diffErrors, diffValues } from '../../src/mappings/vector-diff';
import { mappingVectors, runVectors } from '../../src/mappings/vector-runner';
import { RegionTable } from '../../src/regions/region-table';

const regions = RegionTable.load();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const MAPPING = `id: rec
direction: forward
output: record
fields:
  a: region.code
  b: { expr: applicant.phone, required: false }
examples:
  - name: right
    case: { region: { code: '510104017003' } }
    expect: { a: '510104017003', b: '' }
  - name: wrong value and column order
    case: { region: { code: '510104017003' } }
    expect: { b: '', a: '510104017004' }
  - name: columns in the wrong order
    case: { region: { code: '510104017003' } }
    expect: { b: '', a: '510104017003' }
  - name: expected an error that does not come
    case: { region: { code: '510104017003' } }
    expectErrors: [{ field: a, reason: required }]
  - name: errors as expected
    case: {}
    expectErrors: [{ field: a, reason: is required }]
`;

function config(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-vectors-'));
  dirs.push(dir);
  mkdirSync(dirname(join(dir, 'mappings/rec.yaml')), { recursive: true });
  writeFileSync(join(dir, 'mappings/rec.yaml'), MAPPING);
  return dir;
}

describe('vector runner', () => {
  it('passes and fails vectors with readable diffs', async () => {
    const results = await runVectors(mappingVectors(MappingRegistry.load(config(), regions)));
    expect(results.map((r) => [r.name, r.passed, r.problems])).toEqual([
      ['right', true, []],
      ['wrong value and column order', false, ['a: expected "510104017004", got "510104017003"']],
      ['columns in the wrong order', false, ['(root): fields in order a, b, expected b, a']],
      [
        'expected an error that does not come',
        false,
        ['expected errors, but it mapped to {"a":"510104017003","b":""}'],
      ],
      ['errors as expected', true, []],
    ]);
  });

  it('diffs nested values and error lists', () => {
    expect(diffValues({ a: [1, { b: 2 }], c: 1 }, { a: [1, { b: 3 }, 4], d: 1 })).toEqual([
      'a: expected 2 elements, got 3',
      'a[1].b: expected 2, got 3',
      'c: missing (expected 1)',
      'd: unexpected 1',
    ]);
    const actual = [
      { field: 'x', reason: 'is required' },
      { field: 'y', reason: 'too long' },
    ];
    expect(diffErrors([{ field: 'x' }, { reason: 'no entry' }], actual)).toEqual([
      'missing error *: …no entry…',
      'unexpected error y: too long',
    ]);
  });

  describe('tongban mappings test', () => {
    let output = '';
    beforeEach(() => {
      output = '';
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output += String(chunk);
        return true;
      });
    });
    afterEach(() => jest.restoreAllMocks());

    it('prints a line per vector and a summary, exit code 1 on a failure', async () => {
      const code = await runMappingsTestCli(['rec', '--config', config()]);
      expect(code).toBe(1);
      expect(output).toContain('PASS  rec › right\n');
      expect(output).toContain(
        'FAIL  rec › wrong value and column order\n        a: expected "510104017004", got "510104017003"\n',
      );
      expect(output).toContain('5 vectors: 2 passed, 3 failed');
    });

    it('exits 0 when every shipped vector passes', async () => {
      expect(
        await runMappingsTestCli(['mappings', 'test', '--config', join(__dirname, '../../config')]),
      ).toBe(0);
      expect(output).toMatch(/\d+ vectors: \d+ passed, 0 failed/);
      expect(output).toContain('PASS  legacy-window-xml › unemployment registration in GBK');
    });

    it('exits 2 for an unknown id or a broken configuration', async () => {
      expect(await runMappingsTestCli(['nope', '--config', config()])).toBe(2);
      expect(output).toContain('no mapping or intake profile with id nope');
      const broken = config();
      writeFileSync(
        join(broken, 'mappings/bad.yaml'),
        'id: bad\ndirection: forward\noutput: json\nfields:\n  a: $nope()\n',
      );
      expect(await runMappingsTestCli(['--config', broken])).toBe(2);
      expect(output).toContain('mappings/bad.yaml at fields.a: unknown function $nope');
    });
  });
});
