/** Liveness, readiness (database and Redis answer) and Prometheus metrics. */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { pingDatabase } from '../db/open-database';
import type { Metrics } from '../observability/metrics';

export interface HealthDeps {
  readonly db: Kysely<Database>;
  readonly redis: Redis;
  readonly metrics: Metrics;
  /** Refreshes gauges that are read on demand (queue depth). */
  readonly refreshGauges: () => Promise<void>;
}

export function createHealthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, redis] = await Promise.all([pingDatabase(deps.db), pingRedis(deps.redis)]);
    const ready = database && redis;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { database, redis } });
  });
  router.get('/metrics', async (_req, res) => {
    await deps.refreshGauges().catch(() => undefined);
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (await Promise.race([redis.ping(), new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1000))])) === 'PONG';
  } catch {
    return false;
  }
}
