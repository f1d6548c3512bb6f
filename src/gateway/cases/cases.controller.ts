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
import { RequireScopes } from '../auth/scopes.decorator';
import { CaseIntakeService } from '../intake/case-intake.service';
import { CaseQueryService, type CaseSearchParams } from './case-query.service';
import { CanonicalCaseDto } from './dto/canonical-case.dto';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly intake: CaseIntakeService,
    private readonly query: CaseQueryService,
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
  @ApiOperation({ summary: 'A case with its deliveries and timeline (personal data masked)' })
  async get(@Param('id') id: string, @Req() request: FastifyRequest) {
    return this.query.detail(id, request.client!);
  }

  @Get()
  @RequireScopes('cases:read')
  @ApiOperation({ summary: 'Search cases, newest first, by cursor (办件查询: by ID number too)' })
  @ApiQuery({ name: 'externalId', required: false })
  @ApiQuery({ name: 'applicantIdNumber', required: false })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'serviceCode', required: false })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async search(@Query() params: CaseSearchParams, @Req() request: FastifyRequest) {
    return this.query.search(params, request.client!);
  }
}
