import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ProblemException } from '../../common/problem/problem';
import type { RpcAuthenticated } from '../auth/api-key.guard';
import { RequireScopes } from '../auth/scopes.decorator';
import { CaseIntakeService } from '../intake/case-intake.service';
import type { CaseSummary } from './case-query.service';

export const CASES_SUBMIT = 'cases.submit';

/** `cases.submit` message: `{ apiKey, idempotencyKey?, case }`. */
export interface SubmitCaseMessage extends RpcAuthenticated {
  idempotencyKey?: string;
  case?: unknown;
}

export interface SubmitCaseReply {
  /** 202 for a new case, 200 for a repeated submission, like the HTTP API. */
  status: 200 | 202;
  case: CaseSummary;
}

@Controller()
export class CasesRpcController {
  constructor(private readonly intake: CaseIntakeService) {}

  @MessagePattern(CASES_SUBMIT)
  @RequireScopes('cases:write')
  async submit(@Payload() message: SubmitCaseMessage): Promise<SubmitCaseReply> {
    if (message.case === undefined) {
      throw ProblemException.invalid([
        { pointer: '/case', reason: 'the message must carry the case under "case"' },
      ]);
    }
    if (message.idempotencyKey !== undefined && typeof message.idempotencyKey !== 'string') {
      throw ProblemException.invalid([{ pointer: '/idempotencyKey', reason: 'must be a string' }]);
    }
    const result = await this.intake.submit(message.case, message.client!, message.idempotencyKey);
    return { status: result.created ? 202 : 200, case: result.summary };
  }
}
