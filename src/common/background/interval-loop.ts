import { Logger } from '@nestjs/common';

/**
 * Runs `pass` every `intervalMs`, never two passes at once, and never keeps the process alive.
 * A failed pass is logged and tried again at the next tick; `stop` waits for the pass in flight.
 */
export class IntervalLoop {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    name: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.pass()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`pass failed, will retry: ${error.message}`))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
