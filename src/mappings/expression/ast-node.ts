import type { ExprNode } from 'jsonata';

/** A JSONata AST node as jsonata 2.x builds it (its .d.ts omits path, bind, apply, filter…). */
export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  arguments?: AstNode[];
  procedure?: AstNode;
  steps?: AstNode[];
  expressions?: AstNode[];
  stages?: AstNode[];
  /** A node, or for object constructors `{ k: v }` the list of [key, value] pairs. */
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  expression?: AstNode;
  body?: AstNode;
  expr?: AstNode;
  focus?: string;
  index?: string;
  /** Sort step `^(…)`. */
  terms?: Array<{ descending: boolean; expression: AstNode }>;
  /** Grouping `a{k: v}` on a path. */
  group?: { lhs: AstNode[][] };
}

export const asAstNode = (node: ExprNode): AstNode => node as unknown as AstNode;
