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
import { DeliveryQueues } from '../queue/delivery-queues';
import { OutboxRelay } from '../queue/outbox-relay';
import type { GatewayRuntime } from './gateway-runtime';
import { EVENTS_CLIENT, REDIS, RUNTIME } from './tokens';

/** Starts the background loops after boot and closes every connection, in order, on shutdown. */
@Injectable()
export class ResourceLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ResourceLifecycle.name);

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly relay: OutboxRelay,
    private readonly queues: DeliveryQueues,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EVENTS_CLIENT) private readonly events: ClientProxy | undefined,
    private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (this.runtime.env.role !== 'worker') this.relay.start();
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}`);
    await this.relay.stop();
    await this.queues.close();
    await this.events?.close();
    await this.redis.quit().catch(() => undefined);
    if (this.db.isInitialized) await this.db.destroy();
  }
}
