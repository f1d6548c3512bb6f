import { DataSource } from 'typeorm';
import { CaseEventEntity } from './entities/case-event.entity';
import { CaseEntity } from './entities/case.entity';
import { DeliveryEntity } from './entities/delivery.entity';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { OutboxEntryEntity } from './entities/outbox-entry.entity';
import { PlatformEventEntity } from './entities/platform-event.entity';
import { InitialSchema1763769600000 } from './migrations/1763769600000-initial-schema';
import { DeliveryEngine1763856000000 } from './migrations/1763856000000-delivery-engine';
import { PullOffers1763942400000 } from './migrations/1763942400000-pull-offers';
import { Lifecycle1764028800000 } from './migrations/1764028800000-lifecycle';
import { Insights1764288000000 } from './migrations/1764288000000-insights';
import { StatsRollups1764374400000 } from './migrations/1764374400000-stats-rollups';
import { OutboxByDelivery1764460800000 } from './migrations/1764460800000-outbox-by-delivery';

export const ENTITIES = [
  CaseEntity,
  DeliveryEntity,
  CaseEventEntity,
  IdempotencyRecordEntity,
  OutboxEntryEntity,
  PlatformEventEntity,
];
export const MIGRATIONS = [
  InitialSchema1763769600000,
  DeliveryEngine1763856000000,
  PullOffers1763942400000,
  Lifecycle1764028800000,
  Insights1764288000000,
  StatsRollups1764374400000,
  OutboxByDelivery1764460800000,
];

/** The schema comes from migrations only; `synchronize` is never on. Times are stored in UTC. */
export function createDataSource(url: string, poolSize = 20): DataSource {
  return new DataSource({
    type: 'mysql',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    timezone: 'Z',
    charset: 'utf8mb4_bin',
    supportBigNumbers: true,
    bigNumberStrings: true,
    poolSize,
    extra: { enableKeepAlive: true },
  });
}
