import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AdapterRegistry } from '../adapters/adapter-registry';
import { BreakerProbe } from '../delivery/breaker-probe';
import { AlertMonitor } from '../alerting/alert-monitor';
import { DeliveryReconciler } from '../delivery/delivery-reconciler';
import { SqlPackets } from '../persistence/sql-packets';
import { DeliveryQueues } from '../queue/delivery-queues';
import { DeliveryWorkers } from '../queue/delivery-workers';
import { OutboxRelay } from '../queue/outbox-relay';
import type { GatewayRuntime } from './gateway-runtime';
import { EVENTS_CLIENT, REDIS, RUNTIME } from './tokens';

/**
 * Starts the background loops the process role runs, and on shutdown stops them in order: workers
 * first (in-flight attempts finish), then loops, adapters, queues and connections.
 */
@Injectable()
export class ResourceLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ResourceLifecycle.name);

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly relay: OutboxRelay,
    private readonly reconciler: DeliveryReconciler,
    private readonly workers: DeliveryWorkers,
    private readonly probe: BreakerProbe,
    private readonly alerts: AlertMonitor,
    private readonly adapters: AdapterRegistry,
    private readonly queues: DeliveryQueues,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EVENTS_CLIENT) private readonly events: ClientProxy | undefined,
    private readonly db: DataSource,
    private readonly packets: SqlPackets,
  ) {}

  onApplicationBootstrap(): void {
    const { role } = this.runtime.env;
    if (role !== 'worker') this.relay.start();
    if (role !== 'api') {
      this.workers.start();
      this.probe.start();
      this.alerts.start();
    }
    this.reconciler.start();
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}`);
    await this.workers.stop();
    await Promise.all([this.probe.stop(), this.alerts.stop(), this.reconciler.stop(), this.relay.stop()]);
    await this.adapters.closeAll();
    await this.queues.close();
    await this.events?.close();
    await this.redis.quit().catch(() => undefined);
    await this.packets.close().catch(() => undefined);
    if (this.db.isInitialized) await this.db.destroy();
  }
}
