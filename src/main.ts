import 'reflect-metadata';
import { startGateway } from './cli/start-gateway';

startGateway().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
