import { Logger, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDataSource } from '../persistence/data-source';
import type { GatewayRuntime } from './gateway-runtime';
import { RUNTIME } from './tokens';

/** Connects and applies pending migrations, under a MySQL named lock so that concurrent starts take turns. */
export const databaseProvider: Provider = {
  provide: DataSource,
  inject: [RUNTIME],
  useFactory: async (runtime: GatewayRuntime): Promise<DataSource> => {
    const db = createDataSource(runtime.databaseUrl);
    await db.initialize();
    const runner = db.createQueryRunner();
    try {
      await runner.query("SELECT GET_LOCK('tongban_migrations', 120)");
      const applied = await db.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        new Logger('Database').log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    } finally {
      await runner.query("SELECT RELEASE_LOCK('tongban_migrations')");
      await runner.release();
    }
    return db;
  },
};
