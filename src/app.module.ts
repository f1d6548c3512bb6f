import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { PersonalDataCipher } from './common/crypto/personal-data-cipher';
import { ApiKeyGuard } from './gateway/auth/api-key.guard';
import { ApiKeyRegistry } from './gateway/auth/api-key-registry';
import { CaseQueryService } from './gateway/cases/case-query.service';
import { CasesController } from './gateway/cases/cases.controller';
import { CasesRpcController } from './gateway/cases/cases.rpc-controller';
import { CaseEventsPublisher } from './gateway/events/case-events.publisher';
import { HealthController } from './gateway/health/health.controller';
import { CaseIntakeService } from './gateway/intake/case-intake.service';
import { DeliveriesController } from './gateway/admin/deliveries.controller';
import { DepartmentOutboxController } from './gateway/departments/department-outbox.controller';
import { MappingsController } from './gateway/admin/mappings.controller';
import { IntakeProfilesController } from './gateway/intake/intake-profiles.controller';
import { IntakeProfileRegistry } from './mappings/intake/intake-profile';
import { DepartmentsController } from './gateway/admin/departments.controller';
import { BUILT_IN_ADAPTERS } from './adapters/built-in-adapters';
import { deliveryProviders } from './delivery/delivery.providers';
import { MetricsController } from './observability/metrics.controller';
import { createMetricsRegistry, METRICS_REGISTRY } from './observability/metrics-registry';
import { DataSource } from 'typeorm';
import { CaseValidator } from './gateway/intake/case-validator';
import { CaseReadStore } from './persistence/case-read-store';
import { SqlPackets } from './persistence/sql-packets';
import { CaseStore } from './persistence/case-store';
import { OutboxStore } from './persistence/outbox-store';
import { DeliveryQueues } from './queue/delivery-queues';
import { OutboxRelay } from './queue/outbox-relay';
import { CaseRouter } from './routing/case-router';
import { databaseProvider } from './runtime/database.provider';
import type { GatewayRuntime } from './runtime/gateway-runtime';
import { redisProvider } from './runtime/redis.provider';
import { redisTransportOptions } from './runtime/redis-transport';
import { ResourceLifecycle } from './runtime/resource-lifecycle';
import { EVENTS_CLIENT, REDIS, RUNTIME } from './runtime/tokens';
import { trackingControllers, trackingProviders } from './tracking/tracking.parts';
import { callbackControllers, callbackProviders } from './gateway/callbacks/callbacks.parts';
import { notificationControllers, notificationProviders } from './notifications/notifications.parts';
import { insightControllers, insightProviders } from './insights/insights.parts';
import { dashboardControllers, dashboardProviders } from './dashboard/dashboard.parts';

/** The whole gateway; the process role decides which parts run. */
@Module({})
export class AppModule {
  static forRoot(runtime: GatewayRuntime): DynamicModule {
    const { env, config } = runtime;
    const serves = env.role !== 'worker';
    const providers: Provider[] = [
      { provide: RUNTIME, useValue: runtime },
      databaseProvider,
      redisProvider,
      {
        provide: SqlPackets,
        inject: [DataSource], // after the migrations
        useFactory: () => new SqlPackets(runtime.databaseUrl),
      },
      CaseStore,
      CaseReadStore,
      OutboxStore,
      ApiKeyGuard,
      { provide: PersonalDataCipher, useValue: runtime.cipher },
      { provide: ApiKeyRegistry, useValue: new ApiKeyRegistry(config.apiKeys) },
      { provide: CaseValidator, useValue: new CaseValidator(config, runtime.regions) },
      { provide: CaseRouter, useValue: CaseRouter.fromConfig(config) },
      {
        provide: DeliveryQueues,
        inject: [REDIS],
        useFactory: (redis: Redis) => new DeliveryQueues(redis, env.queuePrefix, config.departments.keys()),
      },
      {
        provide: OutboxRelay,
        inject: [OutboxStore, DeliveryQueues, REDIS],
        useFactory: (outbox: OutboxStore, queues: DeliveryQueues, redis: Redis) =>
          new OutboxRelay(outbox, queues, redis, {
            intervalMs: 5_000,
            graceMs: 10_000,
            lockKey: `${env.queuePrefix}:lock:outbox-relay`,
          }),
      },
      {
        provide: EVENTS_CLIENT,
        useFactory: (): ClientProxy | undefined =>
          env.microservice
            ? ClientProxyFactory.create({
                transport: Transport.REDIS,
                options: redisTransportOptions(runtime.redisUrl),
              })
            : undefined,
      },
      {
        provide: CaseEventsPublisher,
        inject: [EVENTS_CLIENT],
        useFactory: (c?: ClientProxy) => new CaseEventsPublisher(c),
      },
      {
        provide: CaseQueryService,
        inject: [CaseReadStore],
        useFactory: (store: CaseReadStore) => new CaseQueryService(store, runtime.cipher),
      },
      {
        provide: CaseIntakeService,
        inject: [
          CaseValidator,
          CaseRouter,
          CaseStore,
          OutboxStore,
          DeliveryQueues,
          CaseQueryService,
          CaseEventsPublisher,
        ],
        useFactory: (
          validator: CaseValidator,
          router: CaseRouter,
          store: CaseStore,
          outbox: OutboxStore,
          queues: DeliveryQueues,
          query: CaseQueryService,
          events: CaseEventsPublisher,
        ) => new CaseIntakeService(validator, router, runtime.cipher, store, outbox, queues, query, events),
      },
      {
        provide: METRICS_REGISTRY,
        inject: [DeliveryQueues, DataSource],
        useFactory: (queues: DeliveryQueues, db: DataSource) => createMetricsRegistry(queues, db),
      },
      ...deliveryProviders,
      {
        provide: IntakeProfileRegistry,
        useFactory: () => IntakeProfileRegistry.load(config.configDir, runtime.regions),
      },
      ...BUILT_IN_ADAPTERS,
      ...trackingProviders,
      ...callbackProviders,
      ...notificationProviders,
      ...insightProviders,
      ...dashboardProviders,
      ...(runtime.extraProviders ?? []),
      ResourceLifecycle,
    ];
    return {
      module: AppModule,
      imports: [DiscoveryModule],
      controllers: [
        HealthController,
        MetricsController,
        ...(serves
          ? [
              CasesController,
              CasesRpcController,
              IntakeProfilesController,
              DeliveriesController,
              DepartmentsController,
              MappingsController,
              DepartmentOutboxController,
              ...trackingControllers,
              ...callbackControllers,
              ...notificationControllers,
              ...insightControllers,
              ...dashboardControllers,
            ]
          : []),
      ],
      providers,
    };
  }
}
