import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { Logger, type LoggerService, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemFilter } from './common/problem/problem.filter';
import type { TlsFiles } from './config/environment';
import { AppModule } from './app.module';
import { captureCallbackBodies } from './gateway/callbacks/callback-body';
import { ApiKeyGuard } from './gateway/auth/api-key.guard';
import { ApiKeyRegistry } from './gateway/auth/api-key-registry';
import { mountBullBoard } from './observability/bull-board';
import { DeliveryQueues } from './queue/delivery-queues';
import type { GatewayRuntime } from './runtime/gateway-runtime';
import { redisTransportOptions } from './runtime/redis-transport';

/**
 * Builds the Nest application (HTTP on Fastify plus the Redis microservice transport) without
 * listening, so the CLI and the tests start exactly the same gateway.
 */
export async function createGatewayApp(
  runtime: GatewayRuntime,
  logger?: LoggerService,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: runtime.env.bodyLimitBytes,
    trustProxy: true,
    ...(runtime.env.tls ? { https: httpsOptions(runtime.env.tls) } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime), adapter, {
    logger: logger ?? new Logger(),
    bufferLogs: false,
  });

  // Only JSON is accepted (intake profiles register their own parsers): anything else is a 415.
  const fastify = app.getHttpAdapter().getInstance();
  // Department callbacks are signed over their exact bytes (before routes are registered).
  captureCallbackBodies(app, runtime.config);
  fastify.removeContentTypeParser('text/plain');
  // XML from legacy front offices (intake profiles) arrives as bytes: its encoding is in its prolog.
  fastify.addContentTypeParser(
    ['application/xml', 'text/xml'],
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );

  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // The ops dashboard (src/dashboard): its page, JSON and assets; /api/v1/admin/* APIs keep the prefix.
      { path: 'admin', method: RequestMethod.GET },
      { path: 'admin/api{/*path}', method: RequestMethod.ALL },
      { path: 'admin/assets{/*path}', method: RequestMethod.GET },
    ],
  });
  // Nest routes Fastify's own errors (size, media type, malformed JSON) through this filter too.
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalGuards(app.get(ApiKeyGuard));
  app.enableShutdownHooks();
  if (runtime.env.role !== 'worker')
    await mountBullBoard(app, app.get(DeliveryQueues), app.get(ApiKeyRegistry));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tongban gateway')
      .setDescription('Community public-service cases in; department deliveries out.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);

  if (runtime.env.microservice && runtime.env.role !== 'worker') {
    // A hybrid app's microservice gets the global guard and filter only when told to inherit them.
    app.connectMicroservice(
      { transport: Transport.REDIS, options: redisTransportOptions(runtime.redisUrl) },
      { inheritAppConfig: true },
    );
  }
  return app;
}

/**
 * A client CA makes the server ask for client certificates without requiring them: API-key clients
 * connect as before, and the mTLS callback route checks `authorized` and the fingerprint itself.
 */
function httpsOptions(tls: TlsFiles): ServerOptions {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile
      ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: false }
      : {}),
  };
}
