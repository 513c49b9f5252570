/**
 * Escalation at run time: the service turns use, what follows a commit (the SLA timer and the inbox's live update),
 * and the SLA worker. A timer is a BullMQ delayed job per item; a sweep every minute catches any timer lost with
 * Redis, so an item past its target is re-escalated to a supervisor once, whichever runs first.
 */
import type { Kysely } from 'kysely';
import type { Queue, Worker } from 'bullmq';
import type { AuditLog } from '../audit/audit-log';
import type { ConversationEvents } from '../conversation/conversation-events';
import type { Database } from '../db/schema';
import type { Metrics } from '../observability/metrics';
import { handoffSlaQueue, type HandoffSlaJobData } from '../queues/handoff-sla-queue';
import type { QueueSettings } from '../queues/job-queue';
import { RetryLater } from '../queues/job-queue';
import { scheduleRepeatingJob } from '../queues/repeating-job';
import type { Language } from '../nlu/nlu-engine';
import type { PracticeContent } from '../practice/practice-profile';
import { type Escalation, type EscalationRequest, Escalations } from './escalations';

const SWEEP_EVERY_MS = 60_000;

export interface HandoffRuntimeDeps {
  readonly db: Kysely<Database>;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly events: ConversationEvents;
  readonly queueSettings: QueueSettings;
  readonly practice: (db: Kysely<Database>, practiceId: string) => Promise<PracticeContent>;
  readonly now?: () => Date;
}

export interface HandoffRuntime {
  readonly escalations: Escalations;
  /** After the escalating transaction committed: start the SLA timer and tell the inbox. */
  announce(conversationId: string, escalation: Escalation): Promise<void>;
  /** Escalates outside a turn (e.g. an EMR failure found by a retry); the terms for the patient, when an item opened. */
  escalateConversation(
    conversationId: string,
    request: EscalationRequest,
  ): Promise<{ notice?: string; lang: Language }>;
  /** Sets the SLA timer of an item whose due time changed (a transfer). */
  startTimer(itemId: number, dueAt: Date | null): Promise<void>;
  /** Re-escalates the item if it still waits past its target; true when it did. */
  checkSla(itemId: number): Promise<boolean>;
  startWorkers(onError: (queue: string, error: Error) => void): Promise<Worker[]>;
  close(): Promise<void>;
}

export function createHandoffRuntime(deps: HandoffRuntimeDeps): HandoffRuntime {
  const now = deps.now ?? (() => new Date());
  const escalations = new Escalations({ audit: deps.audit, metrics: deps.metrics, now });
  const slaQueue: Queue<HandoffSlaJobData> = handoffSlaQueue.createQueue(deps.queueSettings);
  const queues: Queue[] = [slaQueue];

  async function startTimer(itemId: number, dueAt: Date | null): Promise<void> {
    if (!dueAt) return;
    const delayMs = Math.max(0, dueAt.getTime() - now().getTime());
    await handoffSlaQueue.addJob(slaQueue, { itemId, dueAt: dueAt.getTime() }, { delayMs });
  }

  async function checkSla(itemId: number): Promise<boolean> {
    const at = now();
    const breached = await deps.db.transaction().execute(async (trx) => {
      const item = await trx
        .selectFrom('handoff_requests')
        .select(['id', 'conversation_id', 'department', 'due_at'])
        .where('id', '=', itemId)
        .where('state', '=', 'waiting')
        .where('escalated_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!item?.due_at) return undefined;
      if (item.due_at > at) throw new RetryLater(item.due_at.getTime() - at.getTime(), 'not due yet');
      await trx
        .updateTable('handoff_requests')
        .set({ escalated_at: at, updated_at: at })
        .where('id', '=', itemId)
        .execute();
      await deps.audit.append(trx, {
        actor: 'system',
        action: 'handoff.sla_breached',
        details: { item: itemId, conversation: item.conversation_id, department: item.department },
      });
      return item;
    });
    if (!breached) return false;
    deps.metrics.slaBreaches.inc({ department: breached.department });
    await deps.events
      .publish({ type: 'inbox', conversationId: breached.conversation_id, change: 'escalated' })
      .catch(() => undefined);
    return true;
  }

  async function sweep(): Promise<void> {
    const due = await deps.db
      .selectFrom('handoff_requests')
      .select('id')
      .where('state', '=', 'waiting')
      .where('escalated_at', 'is', null)
      .where('due_at', '<=', now())
      .limit(500)
      .execute();
    for (const item of due) await checkSla(item.id).catch(() => false);
  }

  async function announce(conversationId: string, escalation: Escalation): Promise<void> {
    if (escalation.opened) await startTimer(escalation.itemId, escalation.dueAt);
    await deps.events
      .publish({ type: 'inbox', conversationId, change: escalation.opened ? 'opened' : 'updated' })
      .catch(() => undefined);
  }

  return {
    escalations,
    startTimer,
    checkSla,
    announce,
    async escalateConversation(conversationId, request) {
      const { escalation, lang } = await deps.db.transaction().execute(async (trx) => {
        const conversation = await trx
          .selectFrom('conversations')
          .selectAll()
          .where('id', '=', conversationId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const language: Language = conversation.language ?? 'en';
        const practice = await deps.practice(trx, conversation.practice_id);
        return {
          escalation: await escalations.escalate(trx, conversation, practice, request, language),
          lang: language,
        };
      });
      await announce(conversationId, escalation);
      return { notice: escalation.notice, lang };
    },
    async startWorkers(onError) {
      const worker = handoffSlaQueue.createWorker(
        deps.queueSettings,
        async (job) => {
          await checkSla(job.itemId);
        },
        2,
      );
      worker.on('failed', (_job, error) => onError(handoffSlaQueue.name, error));
      const sweeper = await scheduleRepeatingJob(deps.queueSettings, {
        name: 'handoff-sla-sweep',
        repeat: { every: SWEEP_EVERY_MS },
        run: sweep,
      });
      queues.push(sweeper.queue);
      return [worker, sweeper.worker];
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
