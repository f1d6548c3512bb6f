import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ProblemException, type FieldError } from '../../common/problem/problem';
import { RequireScopes } from '../../gateway/auth/scopes.decorator';
import { AuditLogStore } from './audit-log.store';

export interface AuditSearchParams {
  caseId?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@ApiTags('audit')
@ApiBearerAuth()
// Not admin/audit: bootstrap excludes admin{/*path} from the /api/v1 prefix (the ops dashboard).
@Controller('audit')
@RequireScopes('admin')
export class AuditController {
  constructor(private readonly store: AuditLogStore) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first: personal-data reads and operator actions' })
  @ApiQuery({ name: 'caseId', required: false, description: 'Entries about this case' })
  @ApiQuery({ name: 'actor', required: false, description: 'API key name' })
  @ApiQuery({ name: 'action', required: false, description: 'e.g. personal_data.read, delivery.replay' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  async find(@Query() params: AuditSearchParams) {
    const errors: FieldError[] = [];
    const limit = params.limit === undefined ? 100 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      errors.push({ pointer: '/limit', reason: 'must be an integer from 1 to 500' });
    if (params.caseId !== undefined && !UUID.test(params.caseId))
      errors.push({ pointer: '/caseId', reason: 'must be a case id (UUID)' });
    const from = time(params.from, '/from', errors);
    const to = time(params.to, '/to', errors);
    let beforeId: string | undefined;
    if (params.cursor !== undefined) {
      beforeId = Buffer.from(params.cursor, 'base64url').toString('utf8');
      if (!/^[1-9][0-9]{0,18}$/.test(beforeId))
        errors.push({ pointer: '/cursor', reason: 'is not a cursor returned by this API' });
    }
    if (errors.length > 0) throw ProblemException.invalid(errors, 'The audit query is not valid.');

    const entries = await this.store.find({
      subject: params.caseId,
      actor: params.actor,
      action: params.action,
      from,
      to,
      beforeId,
      limit: limit + 1,
    });
    const page = entries.slice(0, limit);
    return {
      items: page,
      nextCursor: entries.length > limit ? Buffer.from(page[page.length - 1].id).toString('base64url') : null,
    };
  }
}

function time(value: string | undefined, pointer: string, errors: FieldError[]): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    errors.push({ pointer, reason: 'must be an ISO 8601 date-time' });
    return undefined;
  }
  return new Date(ms);
}
