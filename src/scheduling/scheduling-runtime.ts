/**
 * Scheduling wired to the queues: retries of requests that found the EMR down, reminders before visits, and the watch
 * of the EMR's change feed, each a BullMQ queue; outcomes and notices are told to the patient in their conversation
 * (a booking read back as PHI, through the gate).
 */
import type { Queue, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { PhiGate } from '../consent/phi-gate';
import type { Database } from '../db/schema';
import type { EmrAdapter, EmrAppointment } from '../emr/emr-adapter';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';
import type { KeyRing } from '../phi/key-ring';
import { appointmentReminderQueue } from '../queues/appointment-reminder-queue';
import { scheduleRepeatingJob } from '../queues/repeating-job';
import type { QueueSettings } from '../queues/job-queue';
import { schedulingRetryQueue } from '../queues/scheduling-retry-queue';
import { AppointmentReminders, type PatientConversation } from './appointment-reminders';
import { AppointmentTracker } from './appointment-tracker';
import { describeAppointment } from './appointment-wording';
import { bookedAnswer } from './booking-wording';
import { watchEmrChanges } from './emr-change-watch';
import { SchedulingRequests, type SchedulingRequest } from './scheduling-requests';
import { type SchedulingOutcome, SchedulingService } from './scheduling-service';

/** Queues messages in a conversation: a late reply to `inReplyTo`, or an automated message without it. */
export type ConversationTeller = (
  conversationId: string,
  drafts: readonly OutboundDraft[],
  lang: Language,
  inReplyTo?: number | null,
) => Promise<unknown>;

export interface SchedulingRuntimeDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly emr: EmrAdapter;
  readonly audit: AuditLog;
  readonly gate: PhiGate;
  readonly queueSettings: QueueSettings;
  readonly practiceId: string;
  readonly practice: () => Promise<{ readonly name: string; readonly timeZone: string }>;
  /** Queues messages in a conversation (outside a turn). */
  readonly tell: ConversationTeller;
  /** Hands a conversation to staff (a request the EMR never took after every retry) and tells the patient the terms. */
  readonly handOff: (conversationId: string, reason: string) => Promise<void>;
  /** How often the EMR's change feed is read. */
  readonly watchEveryMs: number;
  readonly now?: () => Date;
}

export interface SchedulingRuntime {
  readonly service: SchedulingService;
  readonly requests: SchedulingRequests;
  readonly tracker: AppointmentTracker;
  startWorkers(onError: (queue: string, error: Error) => void): Promise<Worker[]>;
  close(): Promise<void>;
}

export function createSchedulingRuntime(deps: SchedulingRuntimeDeps): SchedulingRuntime {
  const now = deps.now ?? (() => new Date());
  const requests = new SchedulingRequests(deps.keyRing);
  const tracker = new AppointmentTracker(deps.keyRing);
  const retryQueue = schedulingRetryQueue.createQueue(deps.queueSettings);
  const reminderQueue = appointmentReminderQueue.createQueue(deps.queueSettings);
  const queues: Queue[] = [retryQueue as Queue, reminderQueue as Queue];
  const reminders = new AppointmentReminders({
    ...{ db: deps.db, queue: reminderQueue, tracker, emr: deps.emr, now, practice: deps.practice, tell: deps.tell },
    conversationOf: (db, patientId) => patientConversation(db, deps.gate, patientId),
  });
  const service = new SchedulingService({
    requests,
    emr: deps.emr,
    audit: deps.audit,
    now,
    scheduleRetry: (requestId, delayMs) => schedulingRetryQueue.addJob(retryQueue, { requestId }, { delayMs }),
    onSettled: async (db, request, outcome) => {
      if (!request.patientId) return;
      const gone =
        outcome.status === 'cancelled'
          ? request.details.appointmentEmrId
          : request.kind === 'reschedule'
            ? request.details.appointmentEmrId
            : undefined;
      const dropped = gone ? await tracker.cancelled(db, deps.practiceId, gone) : undefined;
      if (dropped) await reminders.drop(dropped);
      if (outcome.status === 'booked')
        await reminders.schedule(await tracker.track(db, deps.practiceId, request.patientId, outcome.appointment));
    },
  });
  /** The patient's latest request still pending in the EMR is answered by this appointment: told as a late reply. */
  const answerPendingRequest = async (db: Kysely<Database>, patientId: string, appointment: EmrAppointment) => {
    const row = await db
      .selectFrom('scheduling_requests')
      .select('id')
      .where('patient_id', '=', patientId)
      .where('status', '=', 'pending')
      .where('kind', 'in', ['book', 'reschedule'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    const request = row && (await requests.get(db, row.id));
    if (!request) return;
    await requests.settle(db, request.id, 'booked', { appointmentEmrId: appointment.emrId });
    if (!request.conversationId) return;
    const lang = await conversationLanguage(db, request.conversationId);
    const draft = outcomeDraft(request, { status: 'booked', appointment }, lang, (await deps.practice()).timeZone);
    await deps.tell(request.conversationId, [draft], lang, request.inboundMessageId);
  };
  return {
    service,
    requests,
    tracker,
    async startWorkers(onError) {
      const retries = schedulingRetryQueue.createWorker(
        deps.queueSettings,
        async ({ requestId }) => {
          const retried = await deps.db.transaction().execute((trx) => service.retry(trx, requestId));
          if (!retried?.request.conversationId || retried.outcome.status === 'waiting_for_emr') return;
          const lang = await conversationLanguage(deps.db, retried.request.conversationId);
          const draft = outcomeDraft(retried.request, retried.outcome, lang, (await deps.practice()).timeZone);
          await deps.tell(retried.request.conversationId, [draft], lang, retried.request.inboundMessageId);
          if (retried.outcome.status === 'rejected' && retried.outcome.reason === 'emr-unavailable')
            await deps.handOff(retried.request.conversationId, 'emr_failure');
        },
        2,
      );
      const reminderWorker = appointmentReminderQueue.createWorker(deps.queueSettings, (job) => reminders.send(job), 2);
      // One pass at a time across workers, so a change is never applied (nor a patient told) twice.
      const watch = await scheduleRepeatingJob(deps.queueSettings, {
        name: 'emr-watch',
        repeat: { every: deps.watchEveryMs },
        run: async () => {
          // A retry due but not run (its delayed job lost with Redis) is queued again; a job still there is not doubled.
          for (const requestId of await requests.due(deps.db, now())) {
            await schedulingRetryQueue.addJob(retryQueue, { requestId });
          }
          await watchEmrChanges({
            ...{ db: deps.db, practiceId: deps.practiceId, emr: deps.emr, tracker, reminders },
            confirmPending: (db, patientId, appointment) => answerPendingRequest(db, patientId, appointment),
          });
        },
      });
      queues.push(watch.queue);
      const workers: Worker[] = [retries as Worker, reminderWorker as Worker, watch.worker];
      for (const worker of workers) worker.on('failed', (_job, error) => onError(worker.name, error));
      return workers;
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

/** The patient's latest conversation from a contact verified as them, and whether PHI may be said there. */
async function patientConversation(
  db: Kysely<Database>,
  gate: PhiGate,
  patientId: string,
): Promise<PatientConversation | undefined> {
  const conversation = await db
    .selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .selectAll('conversations')
    .where('contacts.patient_id', '=', patientId)
    .where('contacts.verified_at', 'is not', null)
    .orderBy('conversations.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!conversation) return undefined;
  return {
    conversationId: conversation.id,
    lang: conversation.language ?? 'en',
    allowsDetails: await gate.allows(db, conversation, patientId),
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
  const phi = { topic: 'appointments', patientId: request.patientId };
  if (outcome.status === 'booked') {
    const text = bookedAnswer(
      describeAppointment(outcome.appointment, lang, timeZone),
      lang,
      request.kind === 'reschedule',
    );
    return { text, quickReplies: [], classification: 'phi', phi };
  }
  if (outcome.status === 'cancelled') {
    const text = lang === 'es' ? 'Su cita quedó cancelada.' : 'Your appointment is cancelled.';
    return { text, quickReplies: [], classification: 'phi', phi };
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
