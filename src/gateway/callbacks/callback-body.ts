import { Readable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest, preParsingAsyncHookHandler, RouteOptions } from 'fastify';
import type { TongbanConfig } from '../../config/tongban-config';
import { CallbackConfig } from '../../config/model/tracking-config';

/** Route config flag (`@RouteConfig({ [CALLBACK_BODY]: true })`) of routes that need their raw body. */
export const CALLBACK_BODY = 'tongbanCallbackBody';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a department callback, as signed; the parsed JSON is in `body` as usual. */
    callbackBody?: Buffer;
  }
}

/**
 * Keeps the raw bytes of department callbacks, capped per department by `tracking.callbacks.maxBytes`.
 * Only flagged routes pay for the copy, and the JSON parser still parses the body as everywhere else.
 * Must run before Nest registers its routes (an `onRoute` hook only sees routes added after it).
 */
export function captureCallbackBodies(app: NestFastifyApplication, config: TongbanConfig): void {
  // Nest's adapter bundles its own copy of Fastify's types; the instance is the same at run time.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const fallback = new CallbackConfig().maxBytes!;
  const limits = new Map<string, number>();
  for (const department of config.departments.values()) {
    const callbacks = department.tracking?.callbacks;
    if (callbacks) limits.set(department.code, callbacks.maxBytes ?? fallback);
  }
  const largest = Math.max(fallback, ...limits.values());
  const limitFor = (request: FastifyRequest) =>
    limits.get((request.params as { code?: string } | undefined)?.code ?? '') ?? largest;

  const capture: preParsingAsyncHookHandler = async (request, _reply, payload) => {
    const limit = limitFor(request);
    if (Number(request.headers['content-length']) > limit) throw bodyTooLarge(limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit) throw bodyTooLarge(limit);
      chunks.push(bytes);
    }
    const body = Buffer.concat(chunks, size);
    request.callbackBody = body;
    return Readable.from([body]);
  };

  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!(route.config as Record<string, unknown> | undefined)?.[CALLBACK_BODY]) return;
    route.bodyLimit = largest;
    const existing = route.preParsing;
    route.preParsing = [...(existing ? (Array.isArray(existing) ? existing : [existing]) : []), capture];
  });
}

/** Shaped like Fastify's own, so the problem filter answers 413 as for any other oversized body. */
function bodyTooLarge(limit: number): Error {
  return Object.assign(new Error(`Request body is larger than ${limit} bytes`), {
    code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    statusCode: 413,
  });
}
