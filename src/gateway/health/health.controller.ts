import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/scopes.decorator';
import { Inject } from '@nestjs/common';
import { REDIS } from '../../runtime/tokens';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when MySQL and Redis answer and every migration is applied. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks = {
      mysql: await probe(() => this.db.query('SELECT 1')),
      redis: await probe(() => this.redis.ping()),
      migrations: await probe(async () => {
        if (await this.db.showMigrations()) throw new Error('pending migrations');
      }),
    };
    const ok = Object.values(checks).every((c) => c === 'ok');
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2_000).unref()),
    ]);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}
