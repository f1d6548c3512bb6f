import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PersonalDataCipher } from '../../common/crypto/personal-data-cipher';
import { maskIdNumber } from '../../common/masking';
import { PersonalDataAudit } from '../../insights/audit/personal-data-audit';
import { readPurpose } from '../../insights/audit/read-purpose';
import { RequireScopes } from '../auth/scopes.decorator';
import { CaseIntakeService } from '../intake/case-intake.service';
import { CaseQueryService, normalizedIdNumber, type CaseSearchParams } from './case-query.service';
import { CanonicalCaseDto } from './dto/canonical-case.dto';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly intake: CaseIntakeService,
    private readonly query: CaseQueryService,
    private readonly audit: PersonalDataAudit,
    private readonly cipher: PersonalDataCipher,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('cases:write')
  @ApiOperation({ summary: 'Submit a case; it is stored, routed and queued for its departments' })
  @ApiBody({ type: CanonicalCaseDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Defaults to (source, externalId)' })
  @ApiResponse({ status: 202, description: 'Accepted: stored and queued' })
  @ApiResponse({ status: 200, description: 'The same submission again: the existing case' })
  @ApiResponse({ status: 400, description: 'Invalid input (problem+json with each invalid field)' })
  @ApiResponse({ status: 409, description: 'A different body under the same idempotency key' })
  @ApiResponse({ status: 422, description: 'No route for the service code' })
  async submit(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.intake.submit(body, request.client!, idempotencyKey);
    if (!result.created) void reply.status(200);
    return result.summary;
  }

  @Get(':id')
  @RequireScopes('cases:read')
  @ApiOperation({
    summary: 'A case with its deliveries and timeline (personal data masked; the read is audited)',
  })
  @ApiHeader({
    name: 'X-Purpose',
    required: false,
    description: 'Why the case is read (kept in the audit log)',
  })
  @ApiQuery({ name: 'purpose', required: false, description: 'Same as X-Purpose' })
  async get(
    @Param('id') id: string,
    @Query('purpose') purpose: string | undefined,
    @Headers('x-purpose') purposeHeader: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const client = request.client!;
    // Audited in the read's own transaction: a read that cannot be recorded fails.
    const audit = this.audit.forRead({
      client,
      via: 'case.detail',
      purpose: readPurpose(purposeHeader, purpose),
    });
    return this.query.detail(id, client, audit);
  }

  @Get()
  @RequireScopes('cases:read')
  @ApiOperation({ summary: 'Search cases, newest first, by cursor (办件查询: by ID number too)' })
  @ApiQuery({ name: 'externalId', required: false })
  @ApiQuery({ name: 'applicantIdNumber', required: false })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'serviceCode', required: false })
  @ApiQuery({ name: 'overdue', required: false, description: 'true: open cases past their due time' })
  @ApiQuery({ name: 'purpose', required: false, description: 'Why (audited); or the X-Purpose header' })
  @ApiHeader({ name: 'X-Purpose', required: false })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async search(
    @Query() params: CaseSearchParams,
    @Headers('x-purpose') purposeHeader: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const client = request.client!;
    const idNumber = normalizedIdNumber(params.applicantIdNumber);
    const audit = this.audit.forRead({
      client,
      via: 'case.search',
      purpose: readPurpose(purposeHeader, params.purpose),
      // The HMAC is the one stored with the cases: an auditor can find who looked a person up.
      lookup: idNumber
        ? { applicantIdNumber: maskIdNumber(idNumber), applicantIdHash: this.cipher.lookupHash(idNumber) }
        : undefined,
    });
    return this.query.search(params, client, audit);
  }
}
