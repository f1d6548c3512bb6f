import { HttpException } from '@nestjs/common';

export interface FieldError {
  /** RFC 6901 JSON Pointer into the request body, e.g. `/applicant/idNumber`. */
  pointer: string;
  reason: string;
}

/** RFC 9457 problem details, with `errors` listing every invalid field. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The one exception type every layer throws for a client-facing error; the filter renders it. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemBody) {
    super(problem, problem.status);
  }

  static invalid(errors: FieldError[], detail = 'The submitted case is not valid.'): ProblemException {
    return new ProblemException({
      type: problemType('invalid-input'),
      title: 'Invalid input',
      status: 400,
      detail,
      errors,
    });
  }

  static unauthorized(detail: string): ProblemException {
    return new ProblemException({
      type: problemType('unauthorized'),
      title: 'Unauthorized',
      status: 401,
      detail,
    });
  }

  static forbidden(detail: string): ProblemException {
    return new ProblemException({ type: problemType('forbidden'), title: 'Forbidden', status: 403, detail });
  }

  static notFound(detail: string): ProblemException {
    return new ProblemException({ type: problemType('not-found'), title: 'Not found', status: 404, detail });
  }

  static conflict(detail: string, extensions: Record<string, unknown> = {}): ProblemException {
    return new ProblemException({
      type: problemType('idempotency-conflict'),
      title: 'Idempotency conflict',
      status: 409,
      detail,
      ...extensions,
    });
  }

  static unroutable(serviceCode: string, regionCode: string): ProblemException {
    return new ProblemException({
      type: problemType('unroutable-service'),
      title: 'No route for this service',
      status: 422,
      detail: `No route exists for service code ${serviceCode} in region ${regionCode}.`,
      serviceCode,
      errors: [{ pointer: '/serviceCode', reason: `no route exists for service code ${serviceCode}` }],
    });
  }
}

export function problemType(slug: string): string {
  return `urn:tongban:problem:${slug}`;
}
