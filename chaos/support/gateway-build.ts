import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './options';
import type { Progress } from './progress';

/** Newest modification time of the files under `path` (a file or a folder). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

/**
 * The gateway the suite starts: TONGBAN_TEST_MAIN as given (like the e2e tests), or dist/main.js,
 * built first with `npx nest build` when it is missing or older than anything in src/.
 */
export function resolveGatewayBuild(main: string | undefined, progress: Progress): string {
  if (main) {
    if (!existsSync(main)) throw new Error(`TONGBAN_TEST_MAIN: ${main} does not exist`);
    return main;
  }
  const built = join(REPO_ROOT, 'dist', 'main.js');
  const sources = Math.max(
    newest(join(REPO_ROOT, 'src')),
    newest(join(REPO_ROOT, 'package-lock.json')),
    newest(join(REPO_ROOT, 'tsconfig.build.json')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return built;
  progress.line(
    `${existsSync(built) ? 'dist/ is older than src/' : 'dist/ is missing'}: running npx nest build`,
  );
  const build = spawnSync('npx', ['nest', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npx nest build failed (exit ${String(build.status)})`);
  return built;
}
