/** Liveness, readiness (database and Redis answer, not stopping) and Prometheus metrics. */
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
  /** Refreshes gauges that are read on demand (queue depth and age, staff waits, dead letters). */
  readonly refreshGauges: () => Promise<void>;
  /** True once a graceful stop began: not ready, so traffic moves to other replicas while this one drains. */
  readonly stopping: () => boolean;
  /** false: no /metrics here (it is served on METRICS_PORT instead). */
  readonly withMetrics?: boolean;
}

export function createHealthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.stopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const [database, redis] = await Promise.all([pingDatabase(deps.db), pingRedis(deps.redis)]);
    const ready = database && redis;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { database, redis } });
  });
  if (deps.withMetrics === false) return router;
  router.get('/metrics', async (_req, res) => {
    await deps.refreshGauges().catch(() => undefined);
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (
      (await Promise.race([
        redis.ping(),
        new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1000)),
      ])) === 'PONG'
    );
  } catch {
    return false;
  }
}
