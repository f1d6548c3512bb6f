import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { StatusChangeNotifier } from '../delivery/status-change-notifier';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { RUNTIME } from '../runtime/tokens';
import { dispatchesEvents } from './platform-targets';
import { WebhookQueue } from './webhook-queue';
import { WebhookSweeper } from './webhook-sweeper';
import { WebhookTransport } from './webhook-transport';
import { WebhookWorker } from './webhook-worker';

/**
 * Kicks a case's job after each committed status change (every role), and runs the webhook worker
 * and sweeper where workers run. Nothing starts when no platform has a webhook or notifier.
 */
@Injectable()
export class PlatformEventsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PlatformEventsLifecycle.name);
  private readonly sources: ReadonlySet<string>;
  private running = false;

  constructor(
    @Inject(RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly queue: WebhookQueue,
    private readonly worker: WebhookWorker,
    private readonly sweeper: WebhookSweeper,
    private readonly transport: WebhookTransport,
    notifier: StatusChangeNotifier,
  ) {
    const platforms = [...runtime.config.platforms.values()].filter(dispatchesEvents);
    this.sources = new Set(platforms.map((p) => p.source));
    notifier.onChange((work) => {
      if (this.sources.has(work.source)) this.queue.kick(work.caseId);
    });
  }

  onApplicationBootstrap(): void {
    if (this.runtime.env.role === 'api' || this.sources.size === 0) return;
    this.worker.start();
    this.sweeper.start();
    this.running = true;
    this.logger.log(`platform webhooks and resident notices for ${[...this.sources].join(', ')}`);
  }

  /** Before Redis and MySQL close: the worker finishes the attempt in flight (bounded by its timeout). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.running) {
      await this.worker.stop();
      await this.sweeper.stop();
      this.running = false;
    }
    await this.queue.close();
    this.transport.close();
  }
}
