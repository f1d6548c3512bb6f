/**
 * The naive pipeline (the bench's baseline): NestJS + ValidationPipe → TypeORM save → BullMQ add →
 * worker → axios POST → TypeORM update. NAIVE_ROLE = api | worker | all, like Tongban's roles.
 * Sends `{ url, adapter }` once started.
 */
import 'reflect-metadata';
import { type INestApplicationContext, ValidationPipe } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { NaiveModule } from './naive.module';
import { DELIVERY_QUEUE, readNaiveSettings } from './naive-settings';

/** Nest's default platform (express) when installed; otherwise the Fastify adapter that is. */
async function httpAdapter(): Promise<{ name: string; adapter?: AbstractHttpAdapter }> {
  try {
    require.resolve('@nestjs/platform-express');
    return { name: 'express' };
  } catch {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return { name: 'fastify', adapter: new FastifyAdapter() };
  }
}

async function main(): Promise<void> {
  const settings = readNaiveSettings();
  const logger = ['error', 'warn'] as const;
  let context: INestApplicationContext;
  let url = '';
  let adapterName = 'none';
  if (settings.role === 'worker') {
    context = await NestFactory.createApplicationContext(NaiveModule.forRoot(settings), {
      logger: [...logger],
    });
  } else {
    const { name, adapter } = await httpAdapter();
    adapterName = name;
    const app = adapter
      ? await NestFactory.create(NaiveModule.forRoot(settings), adapter, { logger: [...logger] })
      : await NestFactory.create(NaiveModule.forRoot(settings), { logger: [...logger] });
    app.setGlobalPrefix('api/v1');
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    await app.listen(settings.port, '127.0.0.1');
    url = await app.getUrl();
    context = app;
  }
  process.once('SIGTERM', () => {
    void context
      .get<Queue>(DELIVERY_QUEUE)
      .close()
      .then(() => context.close())
      .finally(() => process.exit(0));
  });
  process.send?.({ url: url.replace('[::1]', '127.0.0.1'), adapter: adapterName });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
