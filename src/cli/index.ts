import 'reflect-metadata';
import { runMappingsTestCli } from './mappings-test';
import { superviseProcesses } from './process-cluster';
import { startGateway } from './start-gateway';

const USAGE = `Usage: tongban [command]

  start                    run the gateway (default; see README for the environment)
  mappings test [id…]      run the test vectors of every mapping, or of the given ones
  help                     this text
`;

/** The `tongban` command. */
async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  switch (command) {
    case 'start':
      if (!superviseProcesses()) await startGateway();
      return -1; // keeps running
    case 'mappings':
      if (rest[0] === 'test') return runMappingsTestCli(rest.slice(1));
      break;
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
