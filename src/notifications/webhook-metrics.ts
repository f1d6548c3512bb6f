import { Counter, type Registry } from 'prom-client';

/** How an attempt to send a platform event ended. */
export type SendOutcome = 'sent' | 'failed' | 'dead_lettered' | 'skipped';

/** `tongban_platform_event_sends_total{type, outcome}`: one count per attempt. */
export class WebhookMetrics {
  private readonly sends: Counter<'type' | 'outcome'>;

  constructor(registry: Registry) {
    this.sends = new Counter({
      name: 'tongban_platform_event_sends_total',
      help: 'Attempts to send webhooks and resident notices, by event type and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
  }

  attempt(type: string, outcome: SendOutcome): void {
    this.sends.inc({ type, outcome });
  }
}
