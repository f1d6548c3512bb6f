import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CircuitState } from './circuit-breaker';

const CIRCUIT_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
};

/** Prometheus series of the delivery engine. */
export class DeliveryMetrics {
  private readonly attempts: Histogram<'department' | 'outcome'>;
  private readonly deliveries: Counter<'department' | 'status'>;
  private readonly circuitState: Gauge<'department'>;

  constructor(registry: Registry) {
    this.attempts = new Histogram({
      name: 'tongban_delivery_attempt_duration_seconds',
      help: 'Duration of delivery attempts, by department and outcome',
      labelNames: ['department', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.deliveries = new Counter({
      name: 'tongban_deliveries_total',
      help: 'Delivery state changes after an attempt, by department and resulting status',
      labelNames: ['department', 'status'],
      registers: [registry],
    });
    this.circuitState = new Gauge({
      name: 'tongban_circuit_state',
      help: 'Circuit breaker state per department: 0 closed, 1 half-open, 2 open',
      labelNames: ['department'],
      registers: [registry],
    });
  }

  attempt(department: string, outcome: string, durationMs: number): void {
    this.attempts.observe({ department, outcome }, durationMs / 1000);
  }

  outcome(department: string, status: string): void {
    this.deliveries.inc({ department, status });
  }

  circuit(department: string, state: CircuitState): void {
    this.circuitState.set({ department }, CIRCUIT_VALUE[state]);
  }
}
