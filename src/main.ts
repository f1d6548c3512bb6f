import 'reflect-metadata';
import { superviseProcesses } from './cli/process-cluster';
import { startGateway } from './cli/start-gateway';

if (!superviseProcesses()) {
  startGateway().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
