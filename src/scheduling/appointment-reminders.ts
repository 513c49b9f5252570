/**
 * Reminders before a visit (48 h and 2 h by default) as BullMQ delayed jobs, and what the patient is told when the
 * EMR moves or cancels a visit. Texts name no detail unless the patient may receive PHI on that channel: "You have an
 * upcoming visit with Riverside Family Medicine. Reply C to confirm, R to reschedule, X to cancel." They go out as
 * automated messages, so quiet hours hold them until morning.
 */
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { EmrAdapter } from '../emr/emr-adapter';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';
import type { ReminderJobData } from '../queues/appointment-reminder-queue';
import { appointmentReminderQueue } from '../queues/appointment-reminder-queue';
import { describeAppointment } from './appointment-wording';
import type { AppointmentTracker, TrackedAppointment } from './appointment-tracker';

export const REMINDER_LEADS = { '48h': 48 * 3_600_000, '2h': 2 * 3_600_000 } as const;
export type ReminderLead = keyof typeof REMINDER_LEADS;

/** The patient's latest conversation from a contact verified as them: where reminders and notices go. */
export interface PatientConversation {
  readonly conversationId: string;
  readonly lang: Language;
  /** Whether PHI about the patient may be said there as is. */
  readonly allowsDetails: boolean;
}

export interface RemindersDeps {
  readonly db: Kysely<Database>;
  readonly queue: Queue<ReminderJobData>;
  readonly tracker: AppointmentTracker;
  readonly emr: EmrAdapter;
  readonly now: () => Date;
  readonly practice: () => Promise<{ readonly name: string; readonly timeZone: string }>;
  readonly conversationOf: (db: Kysely<Database>, patientId: string) => Promise<PatientConversation | undefined>;
  readonly tell: (conversationId: string, drafts: readonly OutboundDraft[], lang: Language) => Promise<unknown>;
}

export class AppointmentReminders {
  constructor(private readonly deps: RemindersDeps) {}

  async schedule(tracked: TrackedAppointment): Promise<void> {
    for (const lead of Object.keys(REMINDER_LEADS) as ReminderLead[]) {
      const delayMs = tracked.start.getTime() - REMINDER_LEADS[lead] - this.deps.now().getTime();
      if (delayMs <= 0) continue;
      await appointmentReminderQueue.addJob(
        this.deps.queue,
        { trackedId: tracked.id, version: tracked.version, lead },
        { delayMs },
      );
    }
  }

  /** Removes the reminders of that version of the appointment (a job already running checks the version anyway). */
  async drop(tracked: TrackedAppointment): Promise<void> {
    for (const lead of Object.keys(REMINDER_LEADS) as ReminderLead[]) {
      await this.deps.queue.remove(
        appointmentReminderQueue.jobIdOf({ trackedId: tracked.id, version: tracked.version, lead }),
      );
    }
  }

  /** The reminder job: sent only if the visit is still booked at the time it was scheduled for. */
  async send(job: ReminderJobData): Promise<void> {
    const tracked = await this.deps.tracker.get(this.deps.db, job.trackedId);
    if (!tracked || tracked.status !== 'booked' || tracked.version !== job.version) return;
    const conversation = await this.deps.conversationOf(this.deps.db, tracked.patientId);
    if (!conversation) return;
    const { name, timeZone } = await this.deps.practice();
    const { lang } = conversation;
    const replies =
      lang === 'es'
        ? 'Responda C para confirmar, R para cambiarla o X para cancelarla.'
        : 'Reply C to confirm, R to reschedule, X to cancel.';
    let text =
      lang === 'es'
        ? `Tiene una visita próxima con ${name}. ${replies}`
        : `You have an upcoming visit with ${name}. ${replies}`;
    if (conversation.allowsDetails) {
      const appointment = await this.deps.emr.getAppointment(tracked.appointmentEmrId);
      if (appointment) {
        const description = describeAppointment(appointment, lang, timeZone);
        text = lang === 'es' ? `Recordatorio: ${description}. ${replies}` : `Reminder: ${description}. ${replies}`;
      }
    }
    await this.markReminded(conversation.conversationId, tracked.id);
    await this.deps.tell(
      conversation.conversationId,
      [draft(text, conversation.allowsDetails, tracked.patientId)],
      lang,
    );
  }

  /** Tells the patient that the practice moved or cancelled their visit. */
  async notifyChange(change: 'moved' | 'cancelled', tracked: TrackedAppointment): Promise<void> {
    const conversation = await this.deps.conversationOf(this.deps.db, tracked.patientId);
    if (!conversation) return;
    const { name, timeZone } = await this.deps.practice();
    const { lang } = conversation;
    const appointment =
      conversation.allowsDetails && change === 'moved'
        ? await this.deps.emr.getAppointment(tracked.appointmentEmrId)
        : undefined;
    const text =
      change === 'cancelled'
        ? lang === 'es'
          ? `${name} canceló su visita próxima. Escriba "cita" para reservar otra, o llámenos.`
          : `${name} has cancelled your upcoming visit. Reply "book" to make a new appointment, or call us.`
        : appointment
          ? lang === 'es'
            ? `${name} cambió su visita: ${describeAppointment(appointment, lang, timeZone)}.`
            : `${name} has moved your visit: ${describeAppointment(appointment, lang, timeZone)}.`
          : lang === 'es'
            ? `${name} cambió la hora de su visita próxima. Escriba "mis citas" para ver los detalles.`
            : `${name} has changed the time of your upcoming visit. Reply "my appointments" to see the details.`;
    await this.deps.tell(conversation.conversationId, [draft(text, Boolean(appointment), tracked.patientId)], lang);
  }

  /** The patient's C, R or X answers this reminder (the conversation memory holds only our tracked id). */
  private async markReminded(conversationId: string, trackedId: string): Promise<void> {
    const row = await this.deps.db
      .selectFrom('conversations')
      .select('memory')
      .where('id', '=', conversationId)
      .executeTakeFirst();
    const memory = { ...(row?.memory ?? {}), remindedOf: trackedId };
    await this.deps.db
      .updateTable('conversations')
      .set({ memory: JSON.stringify(memory) })
      .where('id', '=', conversationId)
      .execute();
  }
}

function draft(text: string, phi: boolean, patientId: string): OutboundDraft {
  return phi
    ? { text, quickReplies: [], classification: 'phi', phi: { topic: 'appointments', patientId } }
    : { text, quickReplies: [], classification: 'none' };
}
