/**
 * Re-enqueues work whose job was lost (the process died between commit and enqueue, or Redis restarted without its
 * data): inbound messages still unprocessed and outbound messages still queued after a grace period. Job ids are
 * deterministic, so work that is already queued is not duplicated.
 */
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../observability/logger';
import { type ProcessInboundJobData, processInboundQueue } from '../queues/process-inbound-queue';
import { type SendOutboundJobData, sendOutboundQueue } from '../queues/send-outbound-queue';

const GRACE_MS = 5_000;
const BATCH = 500;

export interface RecoveryDeps {
  readonly db: Kysely<Database>;
  readonly inboundQueue: Queue<ProcessInboundJobData>;
  readonly sendQueue: Queue<SendOutboundJobData>;
  readonly logger: Logger;
}

/** One sweep; returns how many pending rows it found. `graceMs` 0 sweeps everything (at start-up). */
export async function sweepLostWork(deps: RecoveryDeps, graceMs = GRACE_MS): Promise<number> {
  const before = new Date(Date.now() - graceMs);
  const inbound = await deps.db
    .selectFrom('inbound_messages')
    .select(['id', 'conversation_id'])
    .where('processed_at', 'is', null)
    .where('received_at', '<=', before)
    .orderBy('id')
    .limit(BATCH)
    .execute();
  for (const row of inbound) {
    await processInboundQueue.addJob(deps.inboundQueue, { conversationId: row.conversation_id, inboundMessageId: row.id });
  }
  const outbound = await deps.db
    .selectFrom('outbound_messages')
    .select('id')
    .where('status', '=', 'queued')
    .where('created_at', '<=', before)
    .orderBy('id')
    .limit(BATCH)
    .execute();
  for (const row of outbound) await sendOutboundQueue.addJob(deps.sendQueue, { outboundMessageId: row.id });
  const total = inbound.length + outbound.length;
  // Adding is a no-op for work whose job still exists; this counts pending rows, not new jobs.
  if (total > 0) deps.logger.info({ inbound: inbound.length, outbound: outbound.length }, 'pending work found; jobs ensured');
  return total;
}
