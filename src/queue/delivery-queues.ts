import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliveryQueueName, JobName, type DeliveryJobData } from './queue-names';

export interface QueuedDelivery {
  id: string;
  department: string;
}

/** The BullMQ queue of every department; adding a delivery whose job exists already is a no-op. */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<DeliveryJobData>>();
  private readonly companions = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    departments: Iterable<string>,
  ) {
    for (const department of departments) {
      this.queues.set(
        department,
        new Queue<DeliveryJobData>(deliveryQueueName(department), { connection, prefix }),
      );
    }
  }

  get(department: string): Queue<DeliveryJobData> {
    const queue = this.queues.get(department);
    if (!queue) throw new Error(`No delivery queue for department ${department}`);
    return queue;
  }

  /** The departments that have a queue here. */
  departments(): string[] {
    return [...this.queues.keys()];
  }

  all(): Queue<DeliveryJobData>[] {
    return [...this.queues.values()];
  }

  /** Another queue of this deployment (tracking, webhooks) on the same connection, e.g. for Bull Board. */
  companion(name: string): Queue {
    let queue = this.companions.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.companions.set(name, queue);
    }
    return queue;
  }

  /** jobId = delivery id: BullMQ ignores an add whose id it holds, so re-enqueueing never duplicates. */
  async enqueue(deliveries: readonly QueuedDelivery[], delayMs = 0): Promise<void> {
    const byDepartment = new Map<string, QueuedDelivery[]>();
    for (const d of deliveries) {
      const list = byDepartment.get(d.department);
      if (list) list.push(d);
      else byDepartment.set(d.department, [d]);
    }
    await Promise.all(
      [...byDepartment].map(([department, list]) =>
        this.get(department).addBulk(
          list.map((d) => ({
            name: JobName.Deliver,
            data: { deliveryId: d.id },
            opts: {
              jobId: d.id,
              delay: delayMs > 0 ? delayMs : undefined,
              // Department outcomes are retried by the engine; these attempts only cover infrastructure
              // errors (MySQL unreachable), with the workers' capped backoff.
              attempts: 1_000,
              backoff: { type: 'custom' },
              removeOnComplete: { age: 3_600, count: 10_000 },
              removeOnFail: { age: 7 * 86_400 },
            },
          })),
        ),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.all(), ...this.companions.values()].map((q) => q.close()));
  }
}
