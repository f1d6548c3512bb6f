import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AdapterRegistry } from '../adapters/adapter-registry';
import { CaseEventsPublisher } from '../gateway/events/case-events.publisher';
import { MappingRegistry } from '../mappings/mapping-registry';
import { METRICS_REGISTRY } from '../observability/metrics-registry';
import { DeliveryQueues } from '../queue/delivery-queues';
import { DeliveryWorkers } from '../queue/delivery-workers';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../runtime/tokens';
import { BreakerProbe } from './breaker-probe';
import { DeliveryEngine } from './delivery-engine';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryReconciler } from './delivery-reconciler';
import { DeliveryStore } from './delivery-store';
import { DELIVERY_RUNTIMES } from './delivery-tokens';
import { buildDepartmentRuntimes, type DepartmentRuntime } from './department-runtime';
import { ReplayService } from './replay.service';
import { AlertMonitor } from '../alerting/alert-monitor';
import { logAlertSink, webhookAlertSink } from '../alerting/alert-sinks';
import { StatusChangeNotifier } from './status-change-notifier';

type Runtimes = ReadonlyMap<string, DepartmentRuntime>;

/** The delivery engine's pieces; which of them run is decided by the process role at bootstrap. */
export const deliveryProviders: Provider[] = [
  DeliveryStore,
  AdapterRegistry,
  {
    provide: DELIVERY_RUNTIMES,
    inject: [RUNTIME, REDIS],
    useFactory: (runtime: GatewayRuntime, redis: Redis) =>
      buildDepartmentRuntimes(runtime.config, redis, runtime.env.queuePrefix),
  },
  {
    provide: MappingRegistry,
    inject: [RUNTIME],
    useFactory: (runtime: GatewayRuntime) => MappingRegistry.load(runtime.config.configDir, runtime.regions),
  },
  {
    provide: DeliveryMetrics,
    inject: [METRICS_REGISTRY],
    useFactory: (registry: Registry) => new DeliveryMetrics(registry),
  },
  {
    provide: StatusChangeNotifier,
    inject: [CaseEventsPublisher],
    useFactory: (events: CaseEventsPublisher) => new StatusChangeNotifier(events),
  },
  {
    provide: DeliveryEngine,
    inject: [
      DeliveryStore,
      AdapterRegistry,
      MappingRegistry,
      RUNTIME,
      DELIVERY_RUNTIMES,
      DeliveryQueues,
      StatusChangeNotifier,
      DeliveryMetrics,
    ],
    useFactory: (
      store: DeliveryStore,
      adapters: AdapterRegistry,
      mappings: MappingRegistry,
      runtime: GatewayRuntime,
      departments: Runtimes,
      queues: DeliveryQueues,
      notifier: StatusChangeNotifier,
      metrics: DeliveryMetrics,
    ) =>
      new DeliveryEngine(store, adapters, mappings, runtime.cipher, departments, queues, notifier, metrics),
  },
  {
    provide: DeliveryWorkers,
    inject: [RUNTIME, DELIVERY_RUNTIMES, DeliveryEngine],
    useFactory: (runtime: GatewayRuntime, departments: Runtimes, engine: DeliveryEngine) =>
      new DeliveryWorkers(runtime.redisUrl, runtime.env.queuePrefix, departments, (job, token) =>
        engine.process(job, token),
      ),
  },
  {
    provide: BreakerProbe,
    inject: [DELIVERY_RUNTIMES, AdapterRegistry, DeliveryQueues, REDIS, RUNTIME, DeliveryMetrics],
    useFactory: (
      departments: Runtimes,
      adapters: AdapterRegistry,
      queues: DeliveryQueues,
      redis: Redis,
      runtime: GatewayRuntime,
      metrics: DeliveryMetrics,
    ) => new BreakerProbe(departments, adapters, queues, redis, runtime.env.queuePrefix, metrics),
  },
  {
    provide: DeliveryReconciler,
    inject: [DataSource, DeliveryQueues, REDIS, RUNTIME],
    useFactory: (db: DataSource, queues: DeliveryQueues, redis: Redis, runtime: GatewayRuntime) =>
      new DeliveryReconciler(db, queues, redis, {
        intervalMs: runtime.env.reconcileIntervalMs,
        graceMs: runtime.env.reconcileGraceMs,
        lockKey: `${runtime.env.queuePrefix}:lock:reconciler`,
      }),
  },
  {
    provide: AlertMonitor,
    inject: [DataSource, REDIS, DELIVERY_RUNTIMES, RUNTIME],
    useFactory: (db: DataSource, redis: Redis, departments: Runtimes, runtime: GatewayRuntime) =>
      new AlertMonitor(
        db,
        redis,
        departments,
        [
          logAlertSink,
          ...(runtime.env.alertWebhookUrl ? [webhookAlertSink(runtime.env.alertWebhookUrl)] : []),
        ],
        { intervalMs: runtime.env.alertIntervalMs, prefix: runtime.env.queuePrefix },
      ),
  },
  {
    provide: ReplayService,
    inject: [DataSource, DeliveryStore, DeliveryQueues, StatusChangeNotifier],
    useFactory: (
      db: DataSource,
      store: DeliveryStore,
      queues: DeliveryQueues,
      notifier: StatusChangeNotifier,
    ) => new ReplayService(db, store, queues, notifier),
  },
];
