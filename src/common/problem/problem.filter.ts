import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { throwError, type Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, problemType, ProblemException, type ProblemBody } from './problem';

/**
 * Renders every error as RFC 9457 problem details: over HTTP as application/problem+json, over the
 * microservice transport as the error value the client receives. Unknown errors become a 500 whose
 * body says nothing about the internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    const problem = this.toProblem(exception);
    if (host.getType() === 'rpc') return throwError(() => problem);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  toProblem(exception: unknown): ProblemBody {
    if (exception instanceof ProblemException) return exception.problem;
    if (exception instanceof HttpException) return fromHttpException(exception);
    const fastifyProblem = fromFastifyError(exception);
    if (fastifyProblem) return fastifyProblem;
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return {
      type: problemType('internal'),
      title: 'Internal error',
      status: 500,
      detail: 'The gateway failed to handle the request.',
    };
  }
}

function fromHttpException(exception: HttpException): ProblemBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const message =
    typeof response === 'string' ? response : describe((response as { message?: unknown }).message);
  return {
    type: problemType(slugFor(status)),
    title: titleFor(status),
    status,
    detail: message || exception.message,
  };
}

function describe(message: unknown): string {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return '';
}

/** Fastify rejects some requests before Nest sees them (size, media type, malformed JSON). */
export function fromFastifyError(error: unknown): ProblemBody | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as Error & { statusCode?: number; code?: string };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      type: problemType('body-too-large'),
      title: 'Body too large',
      status: 413,
      detail: error.message,
    };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) {
    return {
      type: problemType('unsupported-media-type'),
      title: 'Unsupported media type',
      status: 415,
      detail: 'Send the case as application/json.',
    };
  }
  if (statusCode === 400 || error instanceof SyntaxError || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return {
      type: problemType('invalid-input'),
      title: 'Invalid input',
      status: 400,
      detail: `The body is not acceptable JSON: ${error.message}`,
    };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return {
      type: problemType(slugFor(statusCode)),
      title: titleFor(statusCode),
      status: statusCode,
      detail: error.message,
    };
  }
  return undefined;
}

const TITLES: Record<number, [string, string]> = {
  400: ['invalid-input', 'Invalid input'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['body-too-large', 'Body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable'],
  429: ['too-many-requests', 'Too many requests'],
  503: ['unavailable', 'Service unavailable'],
};

function slugFor(status: number): string {
  return TITLES[status]?.[0] ?? (status >= 500 ? 'internal' : 'client-error');
}

function titleFor(status: number): string {
  return TITLES[status]?.[1] ?? (status >= 500 ? 'Internal error' : 'Client error');
}
