import jsonata from 'jsonata';
import type { BuiltinFunction } from '../functions/builtin-functions';
import { analyzeExpression, type AnalysisScope } from './expression-analyzer';
import { compileFast, type EvalScope, type FastFn } from './fast-expression';
import type { Shape } from './shapes';

export interface CompiledExpression {
  readonly source: string;
  /** The direct-access closure when the expression is in the fast subset. */
  readonly fast: FastFn | undefined;
  /** Full JSONata evaluation, with `$ctx`, `$case` and the built-ins bound. */
  evaluate(input: unknown, scope: EvalScope): Promise<unknown>;
}

export type ExpressionCompilation =
  { ok: true; expression: CompiledExpression; shape: Shape } | { ok: false; problems: string[] };

/** A mapping runs inside a delivery worker: a runaway expression must fail the field, not hang the worker. */
const GUARDRAILS = { timeout: 1_000, stack: 500, sequence: 100_000 };

interface JsonataSyntaxError {
  message: string;
  position?: number;
}

/** Parses, checks and compiles one expression; every problem found is returned, not thrown. */
export function compileExpression(
  source: string,
  scope: AnalysisScope,
  functions: Readonly<Record<string, BuiltinFunction>>,
  allowArrays = false,
): ExpressionCompilation {
  let parsed: jsonata.Expression;
  try {
    parsed = jsonata(source, GUARDRAILS);
  } catch (error) {
    const e = error as JsonataSyntaxError;
    const where = e.position === undefined ? '' : ` at position ${e.position}`;
    return { ok: false, problems: [`JSONata syntax error${where}: ${e.message}`] };
  }
  const ast = parsed.ast();
  const analysis = analyzeExpression(ast, scope);
  if (analysis.problems.length > 0) return { ok: false, problems: analysis.problems };
  for (const [name, fn] of Object.entries(functions)) parsed.registerFunction(name, fn);
  const expression: CompiledExpression = {
    source,
    fast: compileFast(ast, functions, allowArrays),
    evaluate: (input, s) => parsed.evaluate(input, { ctx: s.ctx, case: s.root }) as Promise<unknown>,
  };
  return { ok: true, expression, shape: analysis.shape };
}
