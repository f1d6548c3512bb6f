import { call } from '../support/http';
import { sampleCase } from '../support/sample-case';
import { ADMIN_KEY, PLATFORM_KEY, startTestGateway, type TestGateway } from '../support/test-gateway';

/** What integrators look at: Bull Board behind an admin key, Prometheus metrics, department state. */
describe('operability', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TONGBAN_ROLE: 'api' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('serves Bull Board only to an admin key, by Bearer or by HTTP Basic for browsers', async () => {
    expect((await call(gw.url, 'GET', '/admin/queues')).status).toBe(401);
    expect((await call(gw.url, 'GET', '/admin/queues', { key: PLATFORM_KEY })).status).toBe(403);
    const page = await call(gw.url, 'GET', '/admin/queues', { key: ADMIN_KEY });
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('Tongban queues');
    const basic = Buffer.from(`ops:${ADMIN_KEY}`).toString('base64');
    const api = await call(gw.url, 'GET', '/admin/queues/api/queues', {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.body)).toContain('delivery.HRSS');
  });

  it('exposes queue depth and dead letters as Prometheus metrics', async () => {
    await call(gw.url, 'POST', '/api/v1/cases', { key: PLATFORM_KEY, body: sampleCase() });
    const metrics = await call(gw.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/tongban_queue_jobs\{department="HRSS",state="waiting"\} [1-9]/);
    expect(metrics.body).toContain('tongban_dead_letters');
    expect(metrics.body).not.toContain('11010519491231002X');
  });

  it('lists departments with circuit state and queue counts for admins only', async () => {
    expect((await call(gw.url, 'GET', '/api/v1/departments', { key: PLATFORM_KEY })).status).toBe(403);
    const res = await call(gw.url, 'GET', '/api/v1/departments', { key: ADMIN_KEY });
    expect(res.status).toBe(200);
    expect(res.body.map((d: { code: string }) => d.code).sort()).toEqual(['CIVIL', 'DPF', 'HEALTH', 'HRSS']);
    expect(res.body[0]).toMatchObject({ circuit: { state: 'CLOSED' }, queue: { paused: false } });
  });
});
