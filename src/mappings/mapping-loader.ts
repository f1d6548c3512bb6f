import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RegionTable } from '../regions/region-table';
import { CodeTableStore } from './code-tables';
import { sharedBuiltins } from './functions/builtin-functions';
import { ProblemList } from './mapping-config-error';
import { compileDefinition, type CompileEnv, type MappingDefinition } from './mapping-compiler';
import { isPlainObject, readYamlFile } from './yaml-file';

/**
 * Reads and checks every file of one folder (`mappings` or `intake`) plus the code tables. Throws
 * one MappingConfigError listing every problem in every file.
 */
export function loadDefinitions(
  configDir: string,
  place: 'mappings' | 'intake',
  regions: RegionTable,
): MappingDefinition[] {
  const problems = new ProblemList();
  const env: CompileEnv = {
    configDir,
    problems,
    tables: CodeTableStore.load(configDir, problems),
    builtins: sharedBuiltins(regions),
  };
  const definitions: MappingDefinition[] = [];
  const seen = new Map<string, string>();
  for (const file of listYaml(configDir, place)) {
    const tree = readYamlFile(configDir, file, problems);
    if (tree === undefined) continue;
    const definition = compileDefinition(tree, file, place, env);
    if (!definition) continue;
    const other = seen.get(definition.id);
    if (other) problems.add(file, 'id', `id ${definition.id} is already used by ${other}`);
    seen.set(definition.id, file);
    definitions.push(definition);
  }
  if (place === 'mappings') checkRouteReferences(configDir, definitions, problems);
  problems.throwIfAny();
  return definitions;
}

function listYaml(configDir: string, folder: string): string[] {
  const dir = join(configDir, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => `${folder}/${entry.name}`)
    .sort();
}

/** A route naming a mapping that does not exist (or is a reverse one) would fail every delivery. */
function checkRouteReferences(
  configDir: string,
  definitions: MappingDefinition[],
  problems: ProblemList,
): void {
  if (!existsSync(join(configDir, 'routes.yaml'))) return;
  const routes = readYamlFile(configDir, 'routes.yaml', problems);
  const list = isPlainObject(routes) && Array.isArray(routes.routes) ? (routes.routes as unknown[]) : [];
  const forward = new Set(definitions.filter((d) => d.kind === 'forward').map((d) => d.id));
  list.forEach((route, r) => {
    const targets = isPlainObject(route) && Array.isArray(route.targets) ? (route.targets as unknown[]) : [];
    targets.forEach((target, t) => {
      const mapping = isPlainObject(target) ? target.mapping : undefined;
      if (typeof mapping === 'string' && !forward.has(mapping)) {
        problems.add(
          'routes.yaml',
          `routes[${r}].targets[${t}].mapping`,
          `no forward mapping with id ${mapping} in mappings/`,
        );
      }
    });
  });
}
