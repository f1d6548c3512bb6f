import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskPhone } from '../../common/masking';
import {
  verifyWebhookSignature,
  WebhookHeader,
  type WebhookAlgorithm,
} from '../../notifications/webhook-signature';
import { CONTROL_PREFIX, readBody, sendJson } from '../shared/http-io';

export interface PlatformReceiverOptions {
  /** The webhook secret of the platform in config/platforms.yaml. */
  secret: string;
  algorithm?: WebhookAlgorithm;
  /** Called for every request answered (the demo logs it); the phone of a notice arrives masked. */
  log?: (message: string) => void;
}

/** One request as the receiver saw it, in arrival order. */
export interface ReceivedEvent {
  path: string;
  eventId: string;
  type: string;
  timestamp: string;
  signature: string;
  verified: boolean;
  /** The status the receiver answered. */
  answered: number;
  body: Record<string, unknown>;
  rawBody: string;
}

/** A test's instruction: answer `status` to matching requests, `times` times (default: until removed). */
export interface ReceiverFailure {
  match: (body: Record<string, unknown>) => boolean;
  status: number;
  times?: number;
}

/**
 * A stand-in for a community platform's backend: accepts Tongban webhooks (and resident-notifier
 * calls) on any POST path, verifies the signature, answers 401 when it does not hold, records every
 * request. `GET /__control/events` lists what was received (demo).
 */
export class PlatformReceiver {
  readonly received: ReceivedEvent[] = [];
  private readonly failures = new Set<ReceiverFailure & { left: number }>();
  private server?: Server;

  constructor(private readonly options: PlatformReceiverOptions) {}

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => sendJson(res, 500, { error: 'receiver_error' }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answers `status` to matching requests until the returned function is called (or `times` ran out). */
  fail(failure: ReceiverFailure): () => void {
    const entry = { ...failure, left: failure.times ?? Infinity };
    this.failures.add(entry);
    return () => this.failures.delete(entry);
  }

  /** Events answered 2xx with a valid signature, first receipt of each event id, in arrival order. */
  delivered(): ReceivedEvent[] {
    const seen = new Set<string>();
    return this.received.filter((e) => {
      if (!e.verified || e.answered >= 300 || seen.has(e.eventId)) return false;
      seen.add(e.eventId);
      return true;
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === `${CONTROL_PREFIX}events`)
      return sendJson(
        res,
        200,
        this.received.map(({ rawBody: _raw, ...event }) => redact(event)),
      );
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'UP' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' });
    const raw = await readBody(req, 256 * 1024);
    if (!raw) return sendJson(res, 413, { error: 'too_large' });
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const signature = header(WebhookHeader.Signature) ?? '';
    const timestamp = header(WebhookHeader.Timestamp) ?? '';
    // Verify over the raw bytes, before parsing: that is what was signed.
    const verified = verifyWebhookSignature({
      secret: this.options.secret,
      algorithm: this.options.algorithm,
      signature,
      timestamp,
      body: raw,
    });
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      // recorded with an empty body; the signature check already failed or the sender is broken
    }
    let answered = verified ? 200 : 401;
    if (verified) {
      for (const failure of this.failures) {
        if (failure.left <= 0 || !failure.match(body)) continue;
        failure.left -= 1;
        answered = failure.status;
        break;
      }
    }
    const event: ReceivedEvent = {
      path,
      eventId: header(WebhookHeader.EventId) ?? '',
      type: header(WebhookHeader.Event) ?? '',
      timestamp,
      signature,
      verified,
      answered,
      body,
      rawBody: raw.toString('utf8'),
    };
    this.received.push(event);
    this.options.log?.(
      `platform received ${event.type} #${event.eventId} case ${String(body.caseId)} → ${String(body.status)}: ` +
        `${answered}${verified ? '' : ' (bad signature)'}`,
    );
    if (answered >= 300)
      return sendJson(res, answered, { error: verified ? 'simulated_failure' : 'bad_signature' });
    sendJson(res, 200, { received: event.eventId });
  }
}

/** The control listing masks the phone of a resident notice (it may be read by anyone with access). */
function redact(event: Omit<ReceivedEvent, 'rawBody'>): Omit<ReceivedEvent, 'rawBody'> {
  if (typeof event.body.phone !== 'string') return event;
  return { ...event, body: { ...event.body, phone: maskPhone(event.body.phone) } };
}
