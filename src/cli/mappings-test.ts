import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/config-error';
import { IntakeProfileRegistry } from '../mappings/intake/intake-profile';
import { MappingRegistry } from '../mappings/mapping-registry';
import { intakeVectors, mappingVectors, runVectors, type VectorCase } from '../mappings/vector-runner';
import { RegionTable } from '../regions/region-table';

const USAGE = 'usage: tongban mappings test [mapping-or-profile-id…] [--config <dir>]';

/**
 * `tongban mappings test [id…]`: runs the examples of every mapping and intake profile (or of the
 * given ones) and prints a line per vector. Exit code 0 = all passed, 1 = a vector failed, 2 = bad
 * config or usage.
 */
export async function runMappingsTestCli(argv: readonly string[]): Promise<number> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const args = [...argv];
  // Tolerate being handed the command words too (`mappings test …`).
  if (args[0] === 'mappings') args.shift();
  if (args[0] === 'test') args.shift();
  let configDir = process.env.TONGBAN_CONFIG_DIR ?? 'config';
  const ids: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--config' && args[i + 1] !== undefined) configDir = args[++i];
    else if (arg === '--help' || arg === '-h') {
      out(USAGE);
      return 0;
    } else if (arg.startsWith('-')) {
      out(`unknown option ${arg}\n${USAGE}`);
      return 2;
    } else ids.push(arg);
  }
  if (!existsSync(join(configDir, 'mappings')) && !existsSync(join(configDir, 'intake'))) {
    out(`${resolve(configDir)} has no mappings/ or intake/ folder (set --config or TONGBAN_CONFIG_DIR)`);
    return 2;
  }
  let cases: VectorCase[];
  try {
    const regions = RegionTable.load();
    const mappings = MappingRegistry.load(resolve(configDir), regions);
    const intake = IntakeProfileRegistry.load(resolve(configDir), regions);
    const unknown = ids.filter((id) => !mappings.has(id) && !intake.has(id));
    if (unknown.length > 0) {
      out(`no mapping or intake profile with id ${unknown.join(', ')} in ${configDir}`);
      return 2;
    }
    cases =
      ids.length === 0
        ? [...mappingVectors(mappings), ...intakeVectors(intake)]
        : ids.flatMap((id) => (mappings.has(id) ? mappingVectors(mappings, id) : intakeVectors(intake, id)));
  } catch (error) {
    if (error instanceof ConfigError) {
      out(error.message);
      return 2;
    }
    throw error;
  }

  const results = await runVectors(cases);
  for (const r of results) {
    out(`${r.passed ? 'PASS' : 'FAIL'}  ${r.mappingId} › ${r.name}`);
    for (const problem of r.problems) out(`        ${problem}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  out(`\n${results.length} vectors: ${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  runMappingsTestCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(2);
    },
  );
}
