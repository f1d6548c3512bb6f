import { MappingConfigError } from '../../src/mappings/mapping-config-error';
import {
  configWithGenderTable as configWith,
  forward,
  problemsOf,
  regions,
} from '../support/mapping-fixtures';
import { MappingRegistry } from '../../src/mappings/mapping-registry';

describe('mapping start-up checks', () => {
  it('loads a correct file', () => {
    const dir = configWith({ 'mappings/test-map.yaml': forward('  name: applicant.name') });
    const registry = MappingRegistry.load(dir, regions);
    expect(registry.ids()).toEqual(['test-map']);
    expect(registry.forward('test-map').output).toBe('json');
  });

  it.each([
    ['a YAML syntax error', 'id: [unclosed\n', '', 'YAML syntax'],
    [
      'a JSONata syntax error',
      forward('  name: "applicant.name & ("'),
      'fields.name',
      'JSONata syntax error',
    ],
    [
      'an unknown function',
      forward('  name: $upper(applicant.name)'),
      'fields.name',
      'unknown function $upper',
    ],
    ['a non-repeatable function', forward('  at: $now()'), 'fields.at', '$now is not repeatable'],
    ['an unknown variable', forward('  id: $cxt.deliveryId'), 'fields.id', 'unknown variable $cxt'],
    ['an unknown $ctx field', forward('  id: $ctx.requestId'), 'fields.id', '$ctx has no field "requestId"'],
    [
      'an unknown canonical field',
      forward('  name: applicant.nmae'),
      'fields.name',
      'unknown canonical field applicant.nmae',
    ],
    [
      'a misspelt top-level field',
      forward('  region: regoin.code'),
      'fields.region',
      'canonical case has no field "regoin"',
    ],
    [
      'a field inside a predicate',
      forward("  name: attachments[typ = 'X'].name"),
      'fields.name',
      'attachments has no field "typ"',
    ],
    [
      'an unknown code table option',
      forward('  xb: { expr: $gender(applicant.idNumber), codeTable: gender }'),
      'fields.xb.codeTable',
      'unknown code table "gender"',
    ],
    [
      '$code with an undeclared table',
      forward("  xb: $code('other', $gender(applicant.idNumber))"),
      'fields.xb',
      'which is not in codeTables',
    ],
    [
      'a field in a sort term',
      forward('  name: attachments^(>nme).name'),
      'fields.name',
      'attachments has no field "nme"',
    ],
    [
      'a function in a grouping',
      forward('  g: "attachments{type: $foo(name)}"'),
      'fields.g',
      'unknown function $foo',
    ],
    [
      'an unknown option',
      forward('  name: { expr: applicant.name, maxlen: 5 }'),
      'fields.name.maxlen',
      'unknown option',
    ],
    [
      'options without expr',
      forward('  name: { required: false }'),
      'fields.name',
      'has required but no expr',
    ],
    [
      'a bad maxLength',
      forward('  name: { expr: applicant.name, maxLength: 0 }'),
      'fields.name.maxLength',
      'whole number > 0',
    ],
    [
      'a bad pad',
      forward('  name: { expr: applicant.name, pad: { width: 5, char: ab } }'),
      'fields.name.pad',
      'one character',
    ],
    [
      'an unquoted code',
      forward('  zjlx: { expr: applicant.idType, default: 01 }'),
      'fields.zjlx.default',
      "write '01' in quotes",
    ],
    ['a constant written as a number', forward('  n: 5'), 'fields.n', 'must be a JSONata expression string'],
    [
      'a bad output',
      'id: test-map\ndirection: forward\noutput: csv\nfields:\n  a: region.code\n',
      'output',
      'must be one of object, json, record, xml',
    ],
    [
      'a bad direction',
      'id: test-map\ndirection: sideways\nfields:\n  a: region.code\n',
      'direction',
      'must be forward or reverse',
    ],
    ['an unknown top-level key', forward('  a: region.code', 'version: 2\n'), 'version', 'unknown key'],
  ])('reports %s with file, field and reason', (_name, text, field, reason) => {
    const problems = problemsOf(configWith({ 'mappings/test-map.yaml': text }));
    expect(problems).toContainEqual({
      file: 'mappings/test-map.yaml',
      field,
      reason: expect.stringContaining(reason),
    });
  });

  it('checks form fields against the declared form schema, also inside repeating groups', () => {
    const fields = [
      '  reason: form.reasn',
      '  members:',
      '    each: form.members',
      '    fields:',
      '      name: nmae',
    ].join('\n');
    const text = forward(fields, 'formSchema: forms/test.schema.json\n');
    const problems = problemsOf(configWith({ 'mappings/test-map.yaml': text }));
    expect(problems).toEqual([
      {
        file: 'mappings/test-map.yaml',
        field: 'fields.reason',
        reason: expect.stringContaining('form has no field "reasn"'),
      },
      {
        file: 'mappings/test-map.yaml',
        field: 'fields.members.fields.name',
        reason: expect.stringContaining('form.members has no field "nmae"'),
      },
    ]);
  });

  it('leaves form fields free without a form schema', () => {
    expect(problemsOf(configWith({ 'mappings/test-map.yaml': forward('  x: form.anything.goes') }))).toEqual(
      [],
    );
  });

  it('accepts bound variables, lambdas and JSONata library functions', () => {
    const expr = '"($n := applicant.name; $map([$n], function($v) { $uppercase($v) })[0])"';
    expect(problemsOf(configWith({ 'mappings/test-map.yaml': forward(`  x: ${expr}`) }))).toEqual([]);
  });

  it('reports unknown code tables and versions in codeTables, with the versions that exist', () => {
    const text =
      'id: test-map\ndirection: forward\noutput: json\ncodeTables: [test-gender@2, nope@1, bad]\nfields:\n  a: region.code\n';
    const problems = problemsOf(configWith({ 'mappings/test-map.yaml': text }));
    expect(problems).toEqual([
      {
        file: 'mappings/test-map.yaml',
        field: 'codeTables[0]',
        reason: expect.stringContaining('available: test-gender@1'),
      },
      {
        file: 'mappings/test-map.yaml',
        field: 'codeTables[1]',
        reason: expect.stringContaining('unknown code table nope@1'),
      },
      { file: 'mappings/test-map.yaml', field: 'codeTables[2]', reason: '"bad" is not name@version' },
    ]);
  });

  it('lists every problem of every file in one error', () => {
    const dir = configWith({
      'mappings/a.yaml': forward('  x: applicant.nmae\n  y: $foo()'),
      'mappings/b.yaml': 'id: test-map\ndirection: reverse\nfields:\n  reference: businessNo\n',
      'codetables/broken@1.yaml': 'name: other\nversion: 1\nentries: {}\n',
    });
    let error: unknown;
    try {
      MappingRegistry.load(dir, regions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingConfigError);
    const lines = (error as MappingConfigError).mappingProblems.map(
      (p) => `${p.file} | ${p.field} | ${p.reason}`,
    );
    expect(lines).toEqual([
      expect.stringMatching(/^codetables\/broken@1.yaml \| name \| the file must be named/),
      expect.stringMatching(/^codetables\/broken@1.yaml \| entries \| must be a non-empty mapping/),
      expect.stringMatching(/^mappings\/a.yaml \| fields.x \| unknown canonical field applicant.nmae/),
      expect.stringMatching(/^mappings\/a.yaml \| fields.y \| unknown function \$foo/),
      'mappings/b.yaml | fields.status | a reverse mapping must produce status',
      'mappings/b.yaml | id | id test-map is already used by mappings/a.yaml',
    ]);
    expect((error as Error).message).toContain(
      'mappings/a.yaml at fields.x: unknown canonical field applicant.nmae',
    );
  });

  it('rejects nesting in record output and names outside ReverseMapped in reverse mappings', () => {
    const record = 'id: rec\ndirection: forward\noutput: record\nfields:\n  a:\n    b: region.code\n';
    const reverse = 'id: rev\ndirection: reverse\nfields:\n  status: "\'ACCEPTED\'"\n  ref: businessNo\n';
    const problems = problemsOf(configWith({ 'mappings/rec.yaml': record, 'mappings/rev.yaml': reverse }));
    expect(problems).toEqual([
      { file: 'mappings/rec.yaml', field: 'fields.a', reason: expect.stringContaining('one flat record') },
      {
        file: 'mappings/rev.yaml',
        field: 'fields.ref',
        reason: expect.stringContaining('has no field "ref"'),
      },
    ]);
  });

  it('needs a reverse section for a code table read backwards when two entries share a value', () => {
    const table = 'name: many\nversion: 1\nentries:\n  CHILD_SON: "20"\n  CHILD_DAUGHTER: "20"\n';
    const reverse =
      'id: rev\ndirection: reverse\ncodeTables: [many@1]\nfields:\n  status: { expr: s, codeTable: many }\n';
    const problems = problemsOf(
      configWith({ 'codetables/many@1.yaml': table, 'mappings/rev.yaml': reverse }),
    );
    expect(problems).toEqual([
      {
        file: 'mappings/rev.yaml',
        field: 'fields.status.codeTable',
        reason: expect.stringContaining('add a reverse section'),
      },
    ]);
  });
});
