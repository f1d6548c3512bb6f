import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problem/problem';
import { ApiKeyRegistry } from '../gateway/auth/api-key-registry';
import { ADMIN_AUTH_CHALLENGE, adminAuthProblem, authenticateAdmin } from '../observability/admin-auth';

/** The dashboard's own script sends it with every action. */
export const DASHBOARD_ACTION_HEADER = 'x-tongban-dashboard';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The same `admin` check as Bull Board (Bearer, or HTTP Basic from a browser). Actions also need
 * proof that the dashboard page sent them: a browser attaches Basic credentials to any request to
 * this origin, including one a foreign page triggers (CSRF). A foreign page cannot add a custom
 * header without a CORS preflight, which the gateway never grants, and its Origin differs.
 */
@Injectable()
export class DashboardAuthGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const auth = authenticateAdmin(request.headers.authorization, this.keys);
    if (!auth.ok) {
      http.getResponse<FastifyReply>().header('www-authenticate', ADMIN_AUTH_CHALLENGE);
      throw adminAuthProblem(auth.status);
    }
    request.client = auth.client;
    if (!SAFE_METHODS.has(request.method) && !sentByDashboard(request)) {
      throw ProblemException.forbidden(
        `Dashboard actions need the ${DASHBOARD_ACTION_HEADER} header and a same-origin request.`,
      );
    }
    return true;
  }
}

function sentByDashboard(request: FastifyRequest): boolean {
  if (request.headers[DASHBOARD_ACTION_HEADER] === undefined) return false;
  const origin = request.headers.origin;
  // Browsers send an Origin with every POST; a caller without one is a script holding the key.
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}
