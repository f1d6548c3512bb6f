import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DELIVERY_RUNTIMES } from '../../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../../delivery/department-runtime';
import { DeliveryQueues } from '../../queue/delivery-queues';
import { RequireScopes } from '../auth/scopes.decorator';

@ApiTags('departments')
@ApiBearerAuth()
@Controller('departments')
@RequireScopes('admin')
export class DepartmentsController {
  constructor(
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
    private readonly queues: DeliveryQueues,
    private readonly db: DataSource,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Each department: circuit state, queue depth, open and dead-lettered deliveries' })
  async list() {
    const counts = await this.db.query<Array<{ department: string; status: string; n: string }>>(
      'SELECT department, status, COUNT(*) AS n FROM deliveries GROUP BY department, status',
    );
    return Promise.all(
      [...this.departments.values()].map(async ({ config, breaker, calendar }) => {
        const circuit = await breaker.snapshot();
        const queue = this.queues.get(config.code);
        const byStatus = Object.fromEntries(
          counts.filter((c) => c.department === config.code).map((c) => [c.status, Number(c.n)]),
        );
        return {
          code: config.code,
          name: config.name,
          adapter: config.adapter.type,
          circuit: {
            state: circuit.state,
            consecutiveFailures: circuit.consecutiveFailures,
            nextProbeAt: circuit.nextProbeAt > 0 ? new Date(circuit.nextProbeAt).toISOString() : null,
          },
          open: calendar.isOpen(new Date()),
          queue: {
            paused: await queue.isPaused(),
            jobs: await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'paused'),
          },
          deliveries: byStatus,
        };
      }),
    );
  }
}
