import { RegionTable } from '../../regions/region-table';
import type { MappingDefinition } from '../mapping-compiler';
import { loadDefinitions } from '../mapping-loader';
import { UnknownMappingError } from '../mapping-registry';
import { runFields } from '../mapping-runtime';
import type { MappingResult } from '../mapping-types';
import { decodePayload } from './payload-decoder';

/**
 * Intake normalization profiles (config/intake): a source platform's own JSON or XML → a canonical
 * case object, with the same field language as department mappings. The result is not yet valid:
 * the caller validates it like any submission (CaseValidator), so profiles cannot smuggle in data.
 */
export class IntakeProfileRegistry {
  private constructor(private readonly profiles: ReadonlyMap<string, MappingDefinition>) {}

  /** Throws MappingConfigError listing every problem in config/intake and config/codetables. */
  static load(configDir: string, regions: RegionTable = RegionTable.load()): IntakeProfileRegistry {
    const definitions = loadDefinitions(configDir, 'intake', regions);
    return new IntakeProfileRegistry(new Map(definitions.map((d) => [d.id, d])));
  }

  ids(): string[] {
    return [...this.profiles.keys()].sort();
  }

  has(profileId: string): boolean {
    return this.profiles.has(profileId);
  }

  definition(profileId: string): MappingDefinition {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new UnknownMappingError(profileId, 'intake profile');
    return profile;
  }

  /**
   * Decodes the body (XML in its declared encoding, e.g. GBK; no DOCTYPE or entities) and maps it.
   * Errors name the body (`body`) or the canonical field that could not be filled.
   */
  async normalize(profileId: string, body: Buffer, contentType: string): Promise<MappingResult<unknown>> {
    const profile = this.definition(profileId);
    const decoded = decodePayload(body, contentType, profile.format ?? 'json');
    if (!decoded.ok) return { ok: false, errors: [{ field: 'body', reason: decoded.reason, code: 'INPUT' }] };
    let input = decoded.value;
    if (profile.root !== undefined) {
      const tree = input as Record<string, unknown> | null;
      input = tree !== null && typeof tree === 'object' ? tree[profile.root] : undefined;
      if (input === undefined || input === null || typeof input !== 'object') {
        return {
          ok: false,
          errors: [{ field: 'body', reason: `the payload has no ${profile.root} element`, code: 'INPUT' }],
        };
      }
    }
    return runFields(profile, input, { ctx: { profileId, contentType }, root: input });
  }
}
