import { compileExpression } from '../../src/mappings/expression/compiled-expression';
import { FALLBACK } from '../../src/mappings/expression/fast-expression';
import { FREE, FORWARD_CONTEXT } from '../../src/mappings/expression/shapes';
import { BUILTIN_NAMES, sharedBuiltins } from '../../src/mappings/functions/builtin-functions';
import { RegionTable } from '../../src/regions/region-table';

const functions = sharedBuiltins(RegionTable.load());
const scope = {
  input: FREE,
  root: FREE,
  ctx: FORWARD_CONTEXT,
  builtins: new Set<string>(BUILTIN_NAMES),
  codeTables: new Set<string>(),
  fieldNoun: 'field',
};

const doc = {
  a: { b: 'x', n: 0, e: '', t: true, z: null, list: [1, 2], nested: [[1], [2]] },
  id: '11010519491231002X',
  at: '2026-11-19T16:30:00Z',
  money: '4.35',
  people: [{ name: '甲' }, { name: '乙' }],
  one: [{ name: '丙' }],
  str: 'abc',
};
const evalScope = {
  ctx: { deliveryId: 'd-1', caseId: 'c-1', department: 'T', now: '2026-11-20T00:00:00.000Z' },
  root: doc,
};

/**
 * The closures must give exactly what JSONata gives, or hand over (FALLBACK) where they cannot.
 * Each expression here is compiled both ways and compared on the same input.
 */
describe('fast expression closures agree with JSONata', () => {
  it.each([
    ['a.b'],
    ['a.missing'],
    ['a.b.c'],
    ['str.x'],
    ['a.z'],
    ['a.list'],
    ['a.nested'],
    ['people.name'],
    ['one.name'],
    ['people'],
    ['$ctx.deliveryId'],
    ['$ctx.department'],
    ['$case.a.b'],
    ['$$.a.b'],
    ["'literal'"],
    ['42'],
    ['true'],
    ['null'],
    ["a.b = 'x'"],
    ["a.b != 'x'"],
    ['a.missing = a.missing'],
    ['a.missing != 1'],
    ['a.n = 0'],
    ["a.b = 'x' and a.t"],
    ['a.e or a.n'],
    ['a.missing or a.b'],
    ["a.b ? 'yes' : 'no'"],
    ["a.e ? 'yes' : 'no'"],
    ["a.n ? 'yes'"],
    ["a.z ? 'yes' : 'no'"],
    ["a.list ? 'yes' : 'no'"],
    ["a ? 'yes' : 'no'"],
    ["a.b & '-' & a.n & '-' & a.missing & a.t"],
    ['a.b & a.list'],
    ['$string(a.n) & $string(a.t) & $string(a.z)'],
    ['$string(a.list)'],
    ["$birthDate(id, 'yyyyMMdd')"],
    ['$gender(id)'],
    ["$formatDate(at, 'yyyy-MM-dd HH:mm:ss')"],
    ['$yuanToFen(money)'],
    ["$pad(a.b, 3, '_', 'left')"],
    ['(a.b)'],
    ["$regionName('510104', 'city')"],
  ])('%s', async (source) => {
    const compiled = compileExpression(source, scope, functions);
    if (!compiled.ok) throw new Error(compiled.problems.join('; '));
    const { fast, evaluate } = compiled.expression;
    const expected: unknown = await evaluate(doc, evalScope);
    if (fast === undefined) return; // JSONata only: nothing to compare
    const got = fast(doc, evalScope);
    if (got !== FALLBACK) expect(JSON.stringify(got)).toEqual(JSON.stringify(expected));
  });

  it.each([
    ['a.b'],
    ['$ctx.deliveryId'],
    ["$birthDate(id, 'yyyyMMdd')"],
    ["a.b = 'x' ? $gender(id) : 'none'"],
    ["$formatDate(at, 'yyyyMMdd') & '-' & a.b"],
  ])('compiles %s to a closure', (source) => {
    const compiled = compileExpression(source, scope, functions);
    expect(compiled.ok && compiled.expression.fast).toBeInstanceOf(Function);
  });

  it.each([['$uppercase(a.b)'], ['people[0].name'], ['a.(b & n)'], ['$string()'], ['a.b + 1']])(
    'leaves %s to JSONata',
    (source) => {
      const compiled = compileExpression(source, scope, functions);
      expect(compiled.ok && compiled.expression.fast).toBeUndefined();
    },
  );
});
