import { join } from 'node:path';
import { ProblemException } from '../../src/common/problem/problem';
import { loadConfig } from '../../src/config/config-loader';
import type { ApiClient } from '../../src/gateway/auth/api-client';
import { CaseValidator } from '../../src/gateway/intake/case-validator';
import { MappingRegistry } from '../../src/mappings/mapping-registry';
import { mappingVectors } from '../../src/mappings/vector-runner';
import { RegionTable } from '../../src/regions/region-table';

const CONFIG = join(__dirname, '../../config');
const regions = RegionTable.load();
const registry = MappingRegistry.load(CONFIG, regions);
const vectors = mappingVectors(registry);

/** Every `examples:` entry of every shipped mapping, one test each (generated from the files). */
describe('shipped mapping vectors', () => {
  it('has vectors for every shipped mapping, including error vectors for the forward ones', () => {
    for (const id of registry.ids()) {
      const examples = registry.definition(id).examples;
      expect(examples.length).toBeGreaterThan(0);
      if (registry.definition(id).kind === 'forward') expect(examples.some((e) => e.expectErrors)).toBe(true);
    }
  });

  for (const vector of vectors) {
    it(`${vector.mappingId} › ${vector.name}`, async () => {
      const result = await vector.run();
      expect(result.problems).toEqual([]);
      expect(result.passed).toBe(true);
    });
  }
});

/** The cases that map successfully must be cases the gateway would accept, or the vectors prove little. */
describe('shipped forward vectors use valid canonical cases', () => {
  const validator = new CaseValidator(loadConfig(CONFIG, { env: {}, regions }), regions);
  const client: ApiClient = { name: 'vectors', source: 'vectors', scopes: new Set(['admin']) };
  const valid = registry
    .ids()
    .map((id) => registry.definition(id))
    .filter((d) => d.kind === 'forward')
    .flatMap((d) => d.examples.filter((e) => e.expect !== undefined).map((e) => ({ id: d.id, example: e })));

  for (const { id, example } of valid) {
    it(`${id} › ${example.name}`, () => {
      const input = example.input as { acceptedAt: string };
      const now = new Date(Date.parse(input.acceptedAt) + 60_000);
      try {
        validator.validate(structuredClone(input), client, now);
      } catch (error) {
        if (error instanceof ProblemException) throw new Error(JSON.stringify(error.problem.errors));
        throw error;
      }
    });
  }
});
