import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { AdapterRegistry } from '../../adapters/adapter-registry';
import { DELIVERY_RUNTIMES } from '../../delivery/delivery-tokens';
import type { DepartmentRuntime } from '../../delivery/department-runtime';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { problemType, ProblemException } from '../../common/problem/problem';
import { MappingRegistry } from '../../mappings/mapping-registry';
import { uuidV7 } from '../../common/ids/uuid-v7';
import { RequireScopes } from '../auth/scopes.decorator';
import { CaseValidator } from '../intake/case-validator';

/** Dry runs for department IT teams: what a mapping makes of a case, without sending anything. */
@ApiTags('mappings')
@ApiBearerAuth()
@Controller('mappings')
@RequireScopes('mappings:preview')
export class MappingsController {
  constructor(
    private readonly mappings: MappingRegistry,
    private readonly validator: CaseValidator,
    private readonly adapters: AdapterRegistry,
    @Inject(DELIVERY_RUNTIMES) private readonly departments: ReadonlyMap<string, DepartmentRuntime>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every mapping: id, direction, department, output' })
  list() {
    return this.mappings.ids().map((id) => {
      const d = this.mappings.definition(id);
      return { id, kind: d.kind, department: d.department ?? null, output: d.output, file: d.file };
    });
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Map a canonical case with a forward mapping: the message, or every mapping error',
  })
  async preview(@Param('id') id: string, @Body() body: unknown, @Req() request: FastifyRequest) {
    let mapping;
    try {
      mapping = this.mappings.forward(id);
    } catch {
      throw ProblemException.notFound(`No forward mapping ${id}.`);
    }
    const { document } = this.validator.validate(body, request.client!);
    const deliveryId = uuidV7();
    const result = await mapping.map(document, {
      caseId: 'preview',
      deliveryId,
      department: this.mappings.definition(id).department ?? '',
      now: new Date(),
    });
    if (!result.ok) {
      throw new ProblemException({
        type: problemType('mapping-failed'),
        title: 'Mapping failed',
        status: 422,
        detail: `Mapping ${id} cannot map this case.`,
        errors: result.errors.map((e) => ({ pointer: `/${e.field.replace(/\./g, '/')}`, reason: e.reason })),
      });
    }
    return {
      mapping: id,
      output: mapping.output,
      deliveryId,
      message: result.message,
      ...(await this.render(id, deliveryId, result.message)),
    };
  }

  /** What the department's adapter would put on the wire: a SOAP envelope, an encoded file. */
  private async render(id: string, deliveryId: string, message: unknown): Promise<Record<string, unknown>> {
    const department = this.mappings.definition(id).department;
    if (!department || !this.departments.has(department)) return {};
    try {
      const adapter = await this.adapters.get(department);
      if (!adapter.render) return {};
      return { rendered: await adapter.render({ deliveryId, message }) };
    } catch (error) {
      return { renderError: (error as Error).message };
    }
  }
}
