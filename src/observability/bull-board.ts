import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyRegistry } from '../gateway/auth/api-key-registry';
import type { DeliveryQueues } from '../queue/delivery-queues';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board for integrators, behind an `admin` API key: `Authorization: Bearer <key>`, or HTTP Basic
 * with the key as password so that a browser can log in. Job data holds delivery ids only.
 */
export async function mountBullBoard(
  app: NestFastifyApplication,
  queues: DeliveryQueues,
  keys: ApiKeyRegistry,
): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Tongban queues' } },
  });
  const plugin = serverAdapter.registerPlugin();
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const key = presentedKey(request.headers.authorization);
        const client = key ? keys.resolve(key) : undefined;
        if (!client?.scopes.has('admin')) {
          await reply
            .status(client ? 403 : 401)
            .header('www-authenticate', 'Basic realm="Tongban admin"')
            .header('content-type', 'application/problem+json')
            .send({
              type: 'urn:tongban:problem:unauthorized',
              title: 'Unauthorized',
              status: client ? 403 : 401,
              detail: 'An admin API key is required.',
            });
        }
      });
      await scope.register(plugin);
    },
    { prefix: BULL_BOARD_PATH },
  );
}

function presentedKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}
