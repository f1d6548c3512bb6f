/** One sample of a Prometheus text exposition, by metric name (first series). */
export async function scrape(url: string): Promise<Map<string, number>> {
  const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match && !out.has(match[1])) out.set(match[1], Number(match[2]));
  }
  return out;
}

/** Event-loop delay since the previous scrape (prom-client resets its histogram on every collect), in ms. */
export async function eventLoopLag(url: string): Promise<{ maxMs: number; p99Ms: number }> {
  const metrics = await scrape(url);
  const read = (name: string) =>
    Math.round((metrics.get(`tongban_nodejs_eventloop_lag_${name}_seconds`) ?? NaN) * 1000);
  return { maxMs: read('max'), p99Ms: read('p99') };
}
