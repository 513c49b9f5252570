/**
 * Gauges read when /metrics is scraped, from the shared stores rather than this process's memory, so every web and
 * worker replica reports the same figures (dashboards take the max across pods): depth and oldest waiting job of
 * every queue, conversations waiting for staff, and dead-lettered outbound messages.
 */
import { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { QueueSettings } from '../queues/job-queue';
import { appointmentReminderQueue } from '../queues/appointment-reminder-queue';
import { handoffSlaQueue } from '../queues/handoff-sla-queue';
import { processInboundQueue } from '../queues/process-inbound-queue';
import { RETENTION_QUEUE } from '../queues/retention-schedule';
import { schedulingRetryQueue } from '../queues/scheduling-retry-queue';
import { sendOutboundQueue } from '../queues/send-outbound-queue';
import type { Gauge } from 'prom-client';
import type { Metrics } from './metrics';

const MONITORED_QUEUES = [
  processInboundQueue.name,
  sendOutboundQueue.name,
  schedulingRetryQueue.name,
  appointmentReminderQueue.name,
  handoffSlaQueue.name,
  RETENTION_QUEUE,
];

export interface OperationalGauges {
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export function operationalGauges(
  deps: { readonly db: Kysely<Database>; readonly metrics: Metrics; readonly now: () => Date },
  settings: QueueSettings,
): OperationalGauges {
  // Queues on the shared client: reading counts opens no connection of its own.
  const queues = MONITORED_QUEUES.map(
    (name) => new Queue(name, { connection: settings.connection, prefix: settings.prefix }),
  );
  return {
    async refresh() {
      await Promise.all([
        ...queues.map((queue) => refreshQueue(deps.metrics, queue, deps.now())),
        refreshHandoffsWaiting(deps),
        refreshDeadLetters(deps),
      ]);
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

async function refreshQueue(metrics: Metrics, queue: Queue, now: Date): Promise<void> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  for (const [state, count] of Object.entries(counts)) metrics.queueDepth.set({ queue: queue.name, state }, count);
  // asc: the wait list's far end, where workers take from, holds the oldest job.
  const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
  const ageSeconds = oldest ? Math.max(0, (now.getTime() - oldest.timestamp) / 1000) : 0;
  metrics.queueOldestWaiting.set({ queue: queue.name }, ageSeconds);
}

async function refreshHandoffsWaiting({ db, metrics }: { db: Kysely<Database>; metrics: Metrics }): Promise<void> {
  const rows = await db
    .selectFrom('handoff_requests')
    .select(['department as label', (eb) => eb.fn.countAll<string>().as('count')])
    .where('state', '=', 'waiting')
    .groupBy('department')
    .execute();
  setCounts(metrics.handoffsWaiting, 'department', rows);
}

async function refreshDeadLetters({ db, metrics }: { db: Kysely<Database>; metrics: Metrics }): Promise<void> {
  const rows = await db
    .selectFrom('outbound_messages')
    .select(['channel as label', (eb) => eb.fn.countAll<string>().as('count')])
    .where('status', '=', 'dead')
    .groupBy('channel')
    .execute();
  setCounts(metrics.deadLetters, 'channel', rows);
}

/** Replaces a gauge's series with the counts: a group that went to zero disappears rather than keeping its last value. */
function setCounts<L extends string>(
  gauge: Gauge<L>,
  labelName: L,
  rows: ReadonlyArray<{ label: string; count: string | number }>,
): void {
  gauge.reset();
  for (const row of rows) gauge.set({ [labelName]: row.label } as Partial<Record<L, string>>, Number(row.count));
}
