import { Logger } from '@nestjs/common';
import type { AlertSink } from './alert-monitor';

const logger = new Logger('Alert');

/** Every alert goes to the log, as a warning when raised and as info when resolved. */
export const logAlertSink: AlertSink = async (event) => {
  if (event.state === 'raised')
    logger.warn({ msg: `ALERT ${event.kind} raised: ${event.summary}`, alert: event });
  else logger.log({ msg: `ALERT ${event.kind} resolved: ${event.summary}`, alert: event });
};

/** POSTs each alert as JSON to an operator's webhook (an IM bot, an incident tool). */
export function webhookAlertSink(url: string, timeoutMs = 5_000): AlertSink {
  return async (event) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  };
}
