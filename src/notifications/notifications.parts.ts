import type { Provider, Type } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { PlatformEventsController } from '../gateway/admin/platform-events.controller';
import { METRICS_REGISTRY } from '../observability/metrics-registry';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS, RUNTIME } from '../runtime/tokens';
import { ConfiguredResidentNotifier } from './configured-resident-notifier';
import { PlatformEventDispatcher } from './platform-event-dispatcher';
import { PlatformEventSender } from './platform-event-sender';
import { PlatformEventStore } from './platform-event-store';
import { PlatformEventWriter } from './platform-event-writer';
import { PlatformEventsLifecycle } from './platform-events.lifecycle';
import { dispatchesEvents } from './platform-targets';
import { RESIDENT_NOTIFIER, type ResidentNotifier } from './resident-notifier';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookQueue } from './webhook-queue';
import { WebhookSweeper } from './webhook-sweeper';
import { WebhookTransport } from './webhook-transport';
import { WebhookWorker } from './webhook-worker';

/** Cases whose events are sent at the same time (each case's events stay in order). */
const WEBHOOK_CONCURRENCY = 8;
/** The sweeper runs at the reconciler's pace, but at least this often: it is the safety net of the kick. */
const MAX_SWEEP_INTERVAL_MS = 5_000;

/**
 * Tongban → platform and resident: webhooks and notices. A deployment replaces the built-in
 * resident notifier by giving its own provider for RESIDENT_NOTIFIER in `extraProviders`.
 */
export const notificationProviders: Provider[] = [
  PlatformEventWriter,
  PlatformEventStore,
  WebhookTransport,
  {
    provide: WebhookMetrics,
    inject: [METRICS_REGISTRY],
    useFactory: (registry: Registry) => new WebhookMetrics(registry),
  },
  {
    provide: RESIDENT_NOTIFIER,
    inject: [RUNTIME, WebhookTransport],
    useFactory: (runtime: GatewayRuntime, transport: WebhookTransport): ResidentNotifier =>
      new ConfiguredResidentNotifier(runtime.config.platforms, transport),
  },
  {
    provide: PlatformEventSender,
    inject: [RUNTIME, WebhookTransport, RESIDENT_NOTIFIER, DataSource],
    useFactory: (
      runtime: GatewayRuntime,
      transport: WebhookTransport,
      notifier: ResidentNotifier,
      db: DataSource,
    ) => new PlatformEventSender(runtime.config.platforms, transport, notifier, runtime.cipher, db),
  },
  {
    provide: PlatformEventDispatcher,
    inject: [PlatformEventStore, PlatformEventSender, RUNTIME, WebhookMetrics],
    useFactory: (
      store: PlatformEventStore,
      sender: PlatformEventSender,
      runtime: GatewayRuntime,
      metrics: WebhookMetrics,
    ) => new PlatformEventDispatcher(store, sender, runtime.config.platforms, metrics),
  },
  {
    provide: WebhookQueue,
    inject: [REDIS, RUNTIME],
    useFactory: (redis: Redis, runtime: GatewayRuntime) =>
      new WebhookQueue(
        redis,
        runtime.env.queuePrefix,
        [...runtime.config.platforms.values()].some(dispatchesEvents),
      ),
  },
  {
    provide: WebhookWorker,
    inject: [PlatformEventDispatcher, RUNTIME],
    useFactory: (dispatcher: PlatformEventDispatcher, runtime: GatewayRuntime) =>
      new WebhookWorker(dispatcher, {
        redisUrl: runtime.redisUrl,
        prefix: runtime.env.queuePrefix,
        concurrency: WEBHOOK_CONCURRENCY,
        maxTimeoutMs: Math.max(
          10_000,
          ...[...runtime.config.platforms.values()].map((p) => p.webhook?.timeoutMs ?? 0),
        ),
      }),
  },
  {
    provide: WebhookSweeper,
    inject: [PlatformEventStore, WebhookQueue, REDIS, RUNTIME],
    useFactory: (store: PlatformEventStore, queue: WebhookQueue, redis: Redis, runtime: GatewayRuntime) =>
      new WebhookSweeper(store, queue, redis, {
        intervalMs: Math.min(runtime.env.reconcileIntervalMs, MAX_SWEEP_INTERVAL_MS),
        lockKey: `${runtime.env.queuePrefix}:lock:webhook-sweeper`,
      }),
  },
  PlatformEventsLifecycle,
];
/** Served by api processes. */
export const notificationControllers: Type[] = [PlatformEventsController];
