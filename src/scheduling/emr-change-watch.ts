/**
 * Reads the EMR's change feed from where it stopped and applies each change to the appointments we track: new ones
 * get reminders; ones the practice moved or cancelled (staff in the EMR, an HL7 SIU^S13/S15) get their reminders
 * redone or dropped, and the patient is told. Our own bookings were tracked when made, so they report no change.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { EmrAdapter, EmrAppointment } from '../emr/emr-adapter';
import type { AppointmentReminders } from './appointment-reminders';
import type { AppointmentTracker } from './appointment-tracker';

export interface EmrChangeWatchDeps {
  readonly db: Kysely<Database>;
  readonly practiceId: string;
  readonly emr: EmrAdapter;
  readonly tracker: AppointmentTracker;
  readonly reminders: AppointmentReminders;
  /** A new appointment of a patient whose request the EMR accepted but had not confirmed (HL7 v2): it is the answer. */
  readonly confirmPending: (db: Kysely<Database>, patientId: string, appointment: EmrAppointment) => Promise<void>;
}

/** One pass over the feed; returns how many appointments changed in a way the patient hears of. */
export async function watchEmrChanges(deps: EmrChangeWatchDeps): Promise<number> {
  const { db, practiceId } = deps;
  const saved = await db
    .selectFrom('emr_change_cursors')
    .select('cursor')
    .where('practice_id', '=', practiceId)
    .executeTakeFirst();
  const { appointments, cursor } = await deps.emr.changes(saved?.cursor);
  let told = 0;
  for (const appointment of appointments) {
    const patient = await db
      .selectFrom('patients')
      .select('id')
      .where('practice_id', '=', practiceId)
      .where('emr_id', '=', appointment.patientEmrId)
      .executeTakeFirst();
    if (!patient) continue; // not a patient the product knows: nobody to remind
    const observed = await deps.tracker.observe(db, practiceId, patient.id, appointment);
    if (observed.change === 'new') {
      await deps.reminders.schedule(observed.tracked);
      await deps.confirmPending(db, patient.id, appointment);
    }
    if (observed.change === 'moved' || observed.change === 'cancelled') {
      if (observed.previous) await deps.reminders.drop(observed.previous);
      if (observed.change === 'moved') await deps.reminders.schedule(observed.tracked);
      await deps.reminders.notifyChange(observed.change, observed.tracked);
      told += 1;
    }
  }
  await db
    .insertInto('emr_change_cursors')
    .values({ practice_id: practiceId, cursor })
    .onConflict((conflict) => conflict.column('practice_id').doUpdateSet({ cursor, updated_at: new Date() }))
    .execute();
  return told;
}
