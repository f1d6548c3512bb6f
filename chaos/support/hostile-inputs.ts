import { validCase, type PersonalDataRegistry } from './case-factory';
import { badJson, deepNesting, oversized, prototypeKeys, transport } from './hostile-bodies';
import { badCheckDigits, badIdShapes, semantics, unicodeTricks, wrongTypes } from './hostile-fields';
import type { Case, HostileInput, Mutator } from './hostile-kit';

export type { HostileInput } from './hostile-kit';

const MUTATORS: Mutator[] = [
  badCheckDigits,
  badIdShapes,
  wrongTypes,
  badJson,
  unicodeTricks,
  prototypeKeys,
  semantics,
  transport,
  deepNesting,
];

/**
 * At least `count` hostile submissions, each built on a fresh valid HRSS case (own externalId, ID
 * number and phone), none of which the gateway may store. The costly ones (oversized bodies) once.
 */
export function hostileInputs(personal: PersonalDataRegistry, count: number): HostileInput[] {
  const out: HostileInput[] = oversized(validCase(personal, 'HRSS', 'hostile') as Case, personal);
  for (let round = 0; out.length < count; round++) {
    for (const mutate of MUTATORS) {
      // The deep bodies once only: they repeat nothing new and cost the most after the oversized ones.
      if (mutate === deepNesting && round > 0) continue;
      out.push(...mutate(validCase(personal, 'HRSS', 'hostile') as Case, personal));
    }
  }
  return out;
}
