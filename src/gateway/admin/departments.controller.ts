import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DELIVERY_RUNTIMES } from '../../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../../delivery/department-runtime';
import { readDepartmentState } from '../../delivery/department-state';
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
      [...this.departments.values()].map(async (department) => {
        const code = department.config.code;
        const byStatus = Object.fromEntries(
          counts.filter((c) => c.department === code).map((c) => [c.status, Number(c.n)]),
        );
        return { ...(await readDepartmentState(department, this.queues.get(code))), deliveries: byStatus };
      }),
    );
  }
}
