/** Runs `report` every `ms` until stopped (a progress line while a scenario waits). */
export function ticker(ms: number, report: () => Promise<void> | void): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.resolve()
      .then(report)
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, ms);
  return () => clearInterval(timer);
}
