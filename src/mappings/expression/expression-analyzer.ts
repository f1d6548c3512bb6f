import type { ExprNode } from 'jsonata';
import { asAstNode, type AstNode as Node } from './ast-node';
import { FORBIDDEN_FUNCTIONS, JSONATA_FUNCTIONS } from './jsonata-names';
import { elementOf, FREE, stepInto, type Shape } from './shapes';

export interface AnalysisScope {
  /** What a bare path reads: the canonical case, a group's element, a department message. */
  input: Shape;
  /** `$case` and `$$`: the whole input document. */
  root: Shape;
  ctx: Shape;
  /** Built-in names besides JSONata's library. */
  builtins: ReadonlySet<string>;
  /** Code table names `$code` may use (declared in the file's codeTables). */
  codeTables: ReadonlySet<string>;
  /** Used in messages: "canonical field", "message field". */
  fieldNoun: string;
}

export interface Analysis {
  problems: string[];
  /** What the expression yields, as far as a plain path tells (used for `each` elements). */
  shape: Shape;
}

const CHILD_KEYS = ['lhs', 'rhs', 'expressions', 'arguments', 'steps', 'stages', 'condition', 'then', 'else'];

/**
 * Start-up checks of one expression: unknown or forbidden functions, unknown variables, and field
 * names that the input's shape does not have (walking path steps, predicates and arguments).
 */
export function analyzeExpression(ast: ExprNode, scope: AnalysisScope): Analysis {
  const walker = new Walker(scope);
  walker.collectBindings(asAstNode(ast));
  const shape = walker.node(asAstNode(ast), scope.input);
  return { problems: walker.problems, shape };
}

class Walker {
  readonly problems: string[] = [];
  private readonly bound = new Set<string>();

  constructor(private readonly scope: AnalysisScope) {}

  collectBindings(node: Node | undefined): void {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'bind' && isNode(node.lhs) && node.lhs.type === 'variable')
      this.bound.add(String(node.lhs.value));
    if (node.type === 'lambda') for (const a of node.arguments ?? []) this.bound.add(String(a.value));
    if (node.focus) this.bound.add(node.focus);
    if (node.index) this.bound.add(node.index);
    for (const child of children(node)) this.collectBindings(child);
  }

  node(n: Node, context: Shape): Shape {
    switch (n.type) {
      case 'path':
        return this.path(n, context);
      case 'variable':
        return this.variable(String(n.value), context, n.position);
      case 'function':
      case 'partial':
        this.call(n, context);
        return FREE;
      case 'string':
      case 'number':
      case 'value':
        return { kind: 'scalar' };
      case 'lambda':
        if (n.body) this.node(n.body, FREE);
        return FREE;
      default:
        return this.generic(n, context);
    }
  }

  /** Everything else (operators, blocks, constructors, conditions) reads in the same context. */
  private generic(n: Node, context: Shape): Shape {
    let last: Shape = FREE;
    const pairs = n.type === 'unary' && n.value === '{' && Array.isArray(n.lhs);
    for (const child of pairs ? (n.lhs as Node[][]).flat() : children(n)) {
      last = this.node(child, context);
    }
    return n.type === 'block' ? last : FREE;
  }

  private path(n: Node, context: Shape): Shape {
    let shape = context;
    const names: string[] = [];
    (n.steps ?? []).forEach((step, i) => {
      if (step.type === 'name') {
        names.push(String(step.value));
        const next = stepInto(shape, String(step.value));
        if ('unknown' in next) {
          this.problems.push(`unknown ${this.scope.fieldNoun} ${names.join('.')}: ${next.unknown}`);
          shape = FREE;
        } else shape = next;
      } else if (i === 0 && step.type === 'variable') {
        shape = this.variable(String(step.value), context, step.position);
      } else {
        this.node(step, shape);
        shape = FREE;
      }
      for (const stage of step.stages ?? []) {
        if (stage.type === 'filter' && stage.expr) this.node(stage.expr, elementOf(shape));
        else this.generic(stage, elementOf(shape));
      }
    });
    if (n.group) {
      for (const part of n.group.lhs.flat()) this.node(part, elementOf(shape));
      return FREE;
    }
    return shape;
  }

  private variable(name: string, context: Shape, position?: number): Shape {
    if (name === '') return context;
    if (name === '$' || name === 'case') return this.scope.root;
    if (name === 'ctx') return this.scope.ctx;
    if (this.bound.has(name) || this.isFunction(name)) return FREE;
    this.problems.push(`unknown variable $${name}${at(position)}`);
    return FREE;
  }

  private call(n: Node, context: Shape): void {
    const procedure = n.procedure;
    if (procedure?.type === 'variable') {
      const name = String(procedure.value);
      const forbidden = FORBIDDEN_FUNCTIONS.get(name);
      if (forbidden) this.problems.push(`$${name} ${forbidden}`);
      else if (!this.isFunction(name) && !this.bound.has(name))
        this.problems.push(`unknown function $${name}${at(procedure.position)}`);
      if (name === 'code') this.checkCodeCall(n);
    } else if (procedure) this.node(procedure, context);
    for (const arg of n.arguments ?? []) {
      if (arg.type !== 'operator') this.node(arg, context);
    }
  }

  private checkCodeCall(n: Node): void {
    const table = n.arguments?.[0];
    if (table?.type !== 'string') {
      this.problems.push(
        "$code needs the code table name as a literal string, e.g. $code('civil-relation', x)",
      );
    } else if (!this.scope.codeTables.has(String(table.value))) {
      this.problems.push(`$code uses code table "${String(table.value)}", which is not in codeTables`);
    }
  }

  private isFunction(name: string): boolean {
    return this.scope.builtins.has(name) || (JSONATA_FUNCTIONS.has(name) && !FORBIDDEN_FUNCTIONS.has(name));
  }
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'type' in value;
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  const record = node as unknown as Record<string, unknown>;
  for (const key of [
    ...CHILD_KEYS,
    'expression',
    'body',
    'expr',
    'procedure',
    'pattern',
    'update',
    'delete',
  ]) {
    const value = record[key];
    if (isNode(value)) out.push(value);
    else if (Array.isArray(value)) for (const v of value.flat()) if (isNode(v)) out.push(v);
  }
  // Sort terms ({ descending, expression }) hold their nodes one level down.
  for (const term of node.terms ?? []) out.push(term.expression);
  return out;
}

const at = (position?: number): string => (position === undefined ? '' : ` (at position ${position})`);
