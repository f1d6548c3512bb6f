import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../common/problem/problem';
import type { ApiKeyRegistry } from '../gateway/auth/api-key-registry';
import type { DeliveryQueues } from '../queue/delivery-queues';
import { TRACKING_QUEUE, WEBHOOK_QUEUE } from '../queue/queue-names';
import { ADMIN_AUTH_CHALLENGE, adminAuthProblem, authenticateAdmin } from './admin-auth';

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
  // Besides the department queues: the tracking (polling, result files) and webhook queues, for viewing.
  const support = [TRACKING_QUEUE, WEBHOOK_QUEUE].map((name) => queues.companion(name));
  createBullBoard({
    queues: [...queues.all(), ...support].map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Tongban queues' } },
  });
  const plugin = serverAdapter.registerPlugin();
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  await fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const auth = authenticateAdmin(request.headers.authorization, keys);
        if (!auth.ok) {
          await reply
            .status(auth.status)
            .header('www-authenticate', ADMIN_AUTH_CHALLENGE)
            .header('content-type', PROBLEM_CONTENT_TYPE)
            .send(adminAuthProblem(auth.status).problem);
        }
      });
      await scope.register(plugin);
    },
    { prefix: BULL_BOARD_PATH },
  );
}
