import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type BenchOptions } from './bench-options';
import type { Progress } from './progress';

/** Newest modification time of the files under `path` (a file or a folder). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

/**
 * The gateway the bench starts: TONGBAN_BENCH_DIST as given, or dist/main.js, built first with
 * `npx nest build` when it is missing or older than anything in src/ (or the lock file / tsconfig).
 */
export function resolveGatewayBuild(options: BenchOptions, progress: Progress): string {
  if (options.dist) {
    if (!existsSync(options.dist)) throw new Error(`TONGBAN_BENCH_DIST: ${options.dist} does not exist`);
    return options.dist;
  }
  const main = join(REPO_ROOT, 'dist', 'main.js');
  const sources = Math.max(
    newest(join(REPO_ROOT, 'src')),
    newest(join(REPO_ROOT, 'package-lock.json')),
    newest(join(REPO_ROOT, 'tsconfig.json')),
    newest(join(REPO_ROOT, 'tsconfig.build.json')),
  );
  if (existsSync(main) && statSync(main).mtimeMs >= sources) return main;
  progress.line(
    `${existsSync(main) ? 'dist/ is older than src/' : 'dist/ is missing'}: running npx nest build`,
  );
  const build = spawnSync('npx', ['nest', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npx nest build failed (exit ${String(build.status)})`);
  return main;
}
