/**
 * Scheduling wired to the queues: retries of requests that found the EMR down run as delayed BullMQ jobs, and their
 * outcome is told to the patient in the conversation they asked in (a booking read back as PHI, through the gate).
 */
import type { Queue, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { EmrAdapter } from '../emr/emr-adapter';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';
import type { KeyRing } from '../phi/key-ring';
import type { QueueSettings } from '../queues/job-queue';
import { type SchedulingRetryJobData, schedulingRetryQueue } from '../queues/scheduling-retry-queue';
import { describeAppointment } from './appointment-wording';
import { bookedAnswer } from './booking-wording';
import { SchedulingRequests, type SchedulingRequest } from './scheduling-requests';
import { type SchedulingOutcome, SchedulingService } from './scheduling-service';

export interface SchedulingRuntime {
  readonly service: SchedulingService;
  readonly requests: SchedulingRequests;
  readonly retryQueue: Queue<SchedulingRetryJobData>;
  /** Starts the retry worker; `tell` queues messages in a conversation. */
  startWorker(tell: ConversationTeller): Worker<SchedulingRetryJobData>;
}

export type ConversationTeller = (
  conversationId: string,
  drafts: readonly OutboundDraft[],
  lang: Language,
) => Promise<unknown>;

export interface SchedulingRuntimeDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly emr: EmrAdapter;
  readonly audit: AuditLog;
  readonly queueSettings: QueueSettings;
  readonly now?: () => Date;
  /** The practice's zone, for the times in a confirmation. */
  readonly timeZone: () => Promise<string>;
}

export function createSchedulingRuntime(deps: SchedulingRuntimeDeps): SchedulingRuntime {
  const requests = new SchedulingRequests(deps.keyRing);
  const retryQueue = schedulingRetryQueue.createQueue(deps.queueSettings);
  const service = new SchedulingService({
    requests,
    emr: deps.emr,
    audit: deps.audit,
    now: deps.now ?? (() => new Date()),
    scheduleRetry: (requestId, delayMs) => schedulingRetryQueue.addJob(retryQueue, { requestId }, { delayMs }),
  });
  return {
    service,
    requests,
    retryQueue,
    startWorker(tell) {
      return schedulingRetryQueue.createWorker(
        deps.queueSettings,
        async ({ requestId }) => {
          const retried = await deps.db.transaction().execute((trx) => service.retry(trx, requestId));
          if (!retried?.request.conversationId || retried.outcome.status === 'waiting_for_emr') return;
          const lang = await conversationLanguage(deps.db, retried.request.conversationId);
          const draft = outcomeDraft(retried.request, retried.outcome, lang, await deps.timeZone());
          await tell(retried.request.conversationId, [draft], lang);
        },
        2,
      );
    },
  };
}

async function conversationLanguage(db: Kysely<Database>, conversationId: string): Promise<Language> {
  const row = await db
    .selectFrom('conversations')
    .select('language')
    .where('id', '=', conversationId)
    .executeTakeFirst();
  return row?.language ?? 'en';
}

/** What the patient is told once a kept request is answered. */
function outcomeDraft(
  request: SchedulingRequest,
  outcome: SchedulingOutcome,
  lang: Language,
  timeZone: string,
): OutboundDraft {
  if (outcome.status === 'booked') {
    const text = bookedAnswer(
      describeAppointment(outcome.appointment, lang, timeZone),
      lang,
      request.kind === 'reschedule',
    );
    return {
      text,
      quickReplies: [],
      classification: 'phi',
      phi: { topic: 'appointments', patientId: request.patientId },
    };
  }
  if (outcome.status === 'cancelled') {
    const text = lang === 'es' ? 'Su cita quedó cancelada.' : 'Your appointment is cancelled.';
    return {
      text,
      quickReplies: [],
      classification: 'phi',
      phi: { topic: 'appointments', patientId: request.patientId },
    };
  }
  const text =
    outcome.status === 'slot_taken'
      ? lang === 'es'
        ? 'Lo siento: el horario que eligió ya no está disponible. Escriba "cita" para ver otros horarios.'
        : 'Sorry, the time you chose is no longer free. Reply "book" to see other times.'
      : lang === 'es'
        ? 'No pudimos completar su solicitud de cita; nuestro equipo se pondrá en contacto con usted.'
        : "We couldn't complete your appointment request; our team will contact you.";
  return { text, quickReplies: [], classification: 'none' };
}
