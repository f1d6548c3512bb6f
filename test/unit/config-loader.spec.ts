import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { loadConfig } from '../../src/config/config-loader';
import { interpolateEnvironment } from '../../src/config/env-interpolation';
import { RegionTable } from '../../src/regions/region-table';

const EXAMPLE = join(__dirname, '../../config');
const regions = RegionTable.load();

function copyOfExample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-config-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

function problemsOf(dir: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(dir, { env, regions });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.file} | ${p.path} | ${p.reason}`);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const dir = copyOfExample();
    dirs.push(dir);
    return dir;
  };

  it('loads the shipped example: four departments, routes, keys and form schemas', () => {
    const config = loadConfig(EXAMPLE, { env: {}, regions });
    expect([...config.departments.keys()].sort()).toEqual(['CIVIL', 'DPF', 'HEALTH', 'HRSS']);
    expect(config.routes.get('DPF-DIBAO-JOINT')?.mode).toBe('parallel');
    expect(config.departments.get('HRSS')?.delivery.retry.attempts).toBe(12);
    expect(config.formValidators.has('HRSS-UNEMP-REG')).toBe(true);
    expect(config.apiKeys.length).toBeGreaterThanOrEqual(2);
  });

  it('lists every problem with file, path and reason', () => {
    const dir = fresh();
    writeFileSync(
      join(dir, 'routes.yaml'),
      'routes:\n  - service: NOPE\n    targets: [{ department: MISSING }]\n  - service: CIVIL-DIBAO\n    mode: sideways\n    targets: [{ department: CIVIL, regions: ["99"] }]\n',
    );
    writeFileSync(
      join(dir, 'departments', 'BAD.yaml'),
      'code: bad code\nname: x\nadapter: { type: rest }\ndelivery: { retry: { attempts: 0 } }\nsurprise: 1\n',
    );
    expect(problemsOf(dir)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^routes.yaml \| routes\[0\]\.service \| unknown service NOPE/),
        expect.stringMatching(
          /^routes.yaml \| routes\[0\]\.targets\[0\]\.department \| unknown department MISSING/,
        ),
        expect.stringMatching(/^routes.yaml \| routes\[1\]\.mode \| /),
        expect.stringMatching(/^departments\/BAD.yaml \| code \| code must be/),
        expect.stringMatching(
          /^departments\/BAD.yaml \| delivery\.retry\.attempts \| attempts must not be less than 1/,
        ),
        expect.stringMatching(/^departments\/BAD.yaml \| surprise \| unknown property/),
      ]),
    );
  });

  it('reports a YAML syntax error once, with its file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'services.yaml'), 'services:\n  - code: [unclosed\n');
    const problems = problemsOf(dir);
    expect(problems.filter((p) => /^services.yaml \| +\| YAML syntax/.test(p))).toHaveLength(1);
  });

  it('requires secrets only of enabled departments', () => {
    const dir = fresh();
    writeFileSync(
      join(dir, 'departments', 'EXTRA.yaml'),
      'code: EXTRA\nname: x\nadapter: { type: rest, options: { token: "${EXTRA_TOKEN}" } }\n',
    );
    expect(problemsOf(dir)).toEqual([
      'departments/EXTRA.yaml | adapter.options.token | environment variable EXTRA_TOKEN is not set',
    ]);
    writeFileSync(
      join(dir, 'departments', 'EXTRA.yaml'),
      'code: EXTRA\nname: x\nenabled: false\nadapter: { type: rest, options: { token: "${EXTRA_TOKEN}" } }\n',
    );
    expect(problemsOf(dir)).toEqual([]);
    expect(problemsOf(dir, { EXTRA_TOKEN: 't' })).toEqual([]);
  });

  it('rejects a route to a region code that does not exist', () => {
    const dir = fresh();
    writeFileSync(
      join(dir, 'routes.yaml'),
      'routes:\n  - service: CIVIL-DIBAO\n    targets: [{ department: CIVIL, regions: ["5199"] }]\n',
    );
    expect(problemsOf(dir)).toEqual([expect.stringContaining('region 5199 is not a known division code')]);
  });
});

describe('interpolateEnvironment', () => {
  it('substitutes variables and defaults and reports the missing ones with their path', () => {
    const { value, missing } = interpolateEnvironment(
      { url: 'http://${HOST}:${PORT:-8080}/x', list: ['${NOPE}'] },
      { HOST: 'h' },
    );
    expect(value).toEqual({ url: 'http://h:8080/x', list: [''] });
    expect(missing).toEqual([{ path: 'list[0]', variable: 'NOPE' }]);
  });
});
