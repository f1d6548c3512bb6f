import { join } from 'node:path';
import {
  configWithGenderTable as configWith,
  forward,
  problemsOf,
  regions,
} from '../support/mapping-fixtures';
import { MappingRegistry } from '../../src/mappings/mapping-registry';

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
