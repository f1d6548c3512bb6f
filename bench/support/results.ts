import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type BenchOptions } from './bench-options';
import type { MetricBook, Ratio, TargetResult } from './report';
import type { ScenarioOutcome } from './runner';

export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages: above the CPU count, the figures are squeezed by other work. */
  loadavg: number[];
}

export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * bench/results/<timestamp>.json (ignored by git) and a copy as bench/results/latest.json (kept
 * in git, so a change's effect on the figures shows in review). Returns the timestamped path.
 */
export function writeResults(results: {
  startedAt: Date;
  options: BenchOptions;
  machine: { before: MachineInfo; after: MachineInfo };
  outcomes: ScenarioOutcome[];
  book: MetricBook;
  ratios: Ratio[];
  targets: TargetResult[];
}): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = results.startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d{3}Z$/, 'Z');
  const file = join(RESULTS_DIR, `${stamp}${results.options.quick ? '-quick' : ''}.json`);
  const { dataDir, ...options } = results.options;
  void dataDir;
  const json = {
    startedAt: results.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options,
    machine: results.machine,
    scenarios: results.outcomes,
    metrics: results.book.all(),
    ratios: results.ratios,
    targets: results.targets,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  // Only a full, unfiltered run stands for the bench as a whole.
  if (!results.options.quick && results.options.only.length === 0)
    copyFileSync(file, join(RESULTS_DIR, 'latest.json'));
  return file;
}
