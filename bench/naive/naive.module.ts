import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { redisOptions } from '../support/redis-options';
import { CasesController } from './cases.controller';
import { DeliveryWorker } from './delivery.worker';
import { NaiveCase } from './naive-case.entity';
import { DELIVERY_QUEUE, NAIVE_SETTINGS, type NaiveSettings } from './naive-settings';

/** The naive pipeline as one plain Nest module: TypeORM (synchronize), a BullMQ queue, a worker. */
@Module({})
export class NaiveModule {
  static forRoot(settings: NaiveSettings): DynamicModule {
    return {
      module: NaiveModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'mysql',
          url: settings.databaseUrl,
          entities: [NaiveCase],
          synchronize: true,
          // Same as the gateway's, so the bench counts both tables' timestamps alike.
          timezone: 'Z',
        }),
        TypeOrmModule.forFeature([NaiveCase]),
      ],
      controllers: settings.role === 'worker' ? [] : [CasesController],
      providers: [
        { provide: NAIVE_SETTINGS, useValue: settings },
        {
          provide: DELIVERY_QUEUE,
          useFactory: () => new Queue(settings.queueName, { connection: redisOptions(settings.redisUrl) }),
        },
        DeliveryWorker,
      ],
    };
  }
}
