import * as iconv from 'iconv-lite';
import type { CanonicalCase } from '../gateway/intake/canonical-case';
import type { IntakeProfileRegistry } from './intake/intake-profile';
import type { MappingDefinition } from './mapping-compiler';
import type { MappingExample, MappingKind } from './mapping-examples';
import type { MappingRegistry } from './mapping-registry';
import type { MappingResult } from './mapping-types';
import { diffErrors, diffValues } from './vector-diff';

export interface VectorCase {
  mappingId: string;
  kind: MappingKind;
  file: string;
  name: string;
  run(): Promise<VectorResult>;
}

export interface VectorResult {
  mappingId: string;
  kind: MappingKind;
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed: differing paths, missing or unexpected errors. */
  problems: string[];
}

/** Fixed defaults, so that vectors without a context still give repeatable output. */
const DEFAULT_CONTEXT = {
  deliveryId: '00000000-0000-7000-8000-000000000001',
  caseId: '00000000-0000-7000-8000-0000000000ca',
  now: '2026-01-01T00:00:00Z',
};

/** The examples of one mapping (or all), each runnable on its own (one jest `it` per vector). */
export function mappingVectors(registry: MappingRegistry, id?: string): VectorCase[] {
  const ids = id === undefined ? registry.ids() : [id];
  return ids.flatMap((mappingId) => {
    const definition = registry.definition(mappingId);
    return definition.examples.map((example) =>
      vectorCase(definition, example, () =>
        definition.kind === 'forward'
          ? registry
              .forward(mappingId)
              .map(example.input as CanonicalCase, forwardContext(definition, example))
          : registry.reverse(mappingId).map(example.input, reverseContext(example)),
      ),
    );
  });
}

export function intakeVectors(registry: IntakeProfileRegistry, id?: string): VectorCase[] {
  const ids = id === undefined ? registry.ids() : [id];
  return ids.flatMap((profileId) => {
    const definition = registry.definition(profileId);
    return definition.examples.map((example) =>
      vectorCase(definition, example, () => {
        const body = example.bodyBytes ?? iconv.encode(example.body ?? '', example.bodyEncoding ?? 'utf-8');
        const contentType =
          example.contentType ?? (definition.format === 'xml' ? 'application/xml' : 'application/json');
        return registry.normalize(profileId, body, contentType);
      }),
    );
  });
}

export async function runVectors(cases: VectorCase[]): Promise<VectorResult[]> {
  const results: VectorResult[] = [];
  for (const c of cases) results.push(await c.run());
  return results;
}

function vectorCase(
  definition: MappingDefinition,
  example: MappingExample,
  execute: () => Promise<MappingResult<unknown>>,
): VectorCase {
  const base = { mappingId: definition.id, kind: definition.kind, file: definition.file, name: example.name };
  return {
    ...base,
    run: async () => {
      let problems: string[];
      try {
        problems = check(example, await execute(), definition.output === 'record');
      } catch (error) {
        problems = [`threw: ${(error as Error).message}`];
      }
      return { ...base, passed: problems.length === 0, problems };
    },
  };
}

function check(example: MappingExample, result: MappingResult<unknown>, ordered: boolean): string[] {
  if (example.expectErrors !== undefined) {
    if (result.ok) return [`expected errors, but it mapped to ${JSON.stringify(result.message)}`];
    return diffErrors(example.expectErrors, result.errors);
  }
  if (!result.ok) return result.errors.map((e) => `unexpected error ${e.field}: ${e.reason}`);
  return diffValues(example.expect, result.message, ordered);
}

function forwardContext(definition: MappingDefinition, example: MappingExample) {
  const c = example.context;
  return {
    deliveryId: text(c.deliveryId) ?? DEFAULT_CONTEXT.deliveryId,
    caseId: text(c.caseId) ?? DEFAULT_CONTEXT.caseId,
    department: text(c.department) ?? definition.department ?? 'TEST',
    now: new Date(text(c.now) ?? DEFAULT_CONTEXT.now),
  };
}

function reverseContext(example: MappingExample) {
  return { deliveryId: text(example.context.deliveryId), department: text(example.context.department) };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
