import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { ApiScope } from '../../config/model/api-key-config';
import { ProblemException } from '../../common/problem/problem';
import type { ApiClient } from './api-client';
import { ApiKeyRegistry } from './api-key-registry';
import { PUBLIC_ROUTE, REQUIRED_SCOPES } from './scopes.decorator';

/** Over HTTP the key comes as `Authorization: Bearer <key>`; over the microservice, as `apiKey` in the message. */
export interface RpcAuthenticated {
  apiKey?: unknown;
  client?: ApiClient;
}

declare module 'fastify' {
  interface FastifyRequest {
    client?: ApiClient;
  }
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const required = this.reflector.getAllAndOverride<ApiScope[]>(REQUIRED_SCOPES, targets) ?? [];

    const client = this.authenticate(context);
    if (required.length > 0 && !client.scopes.has('admin') && !required.some((s) => client.scopes.has(s))) {
      throw ProblemException.forbidden(`This API key lacks the scope ${required.join(' or ')}.`);
    }
    return true;
  }

  private authenticate(context: ExecutionContext): ApiClient {
    if (context.getType() === 'rpc') {
      const message = context.switchToRpc().getData<RpcAuthenticated | undefined>();
      const key = typeof message?.apiKey === 'string' ? message.apiKey : undefined;
      const client = this.resolve(key);
      (message as RpcAuthenticated).client = client;
      return client;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    request.client = this.resolve(key);
    return request.client;
  }

  private resolve(key: string | undefined): ApiClient {
    if (!key) throw ProblemException.unauthorized('Send an API key as "Authorization: Bearer <key>".');
    const client = this.registry.resolve(key);
    if (!client) throw ProblemException.unauthorized('The API key is not valid.');
    return client;
  }
}
