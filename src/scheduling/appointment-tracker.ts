/**
 * The appointments we remind patients of, and what we last knew of each: booked by us or seen in the EMR's change
 * feed. Comparing what the EMR says now with what we knew tells a move or a cancellation made by staff (which the
 * patient must hear about) from one we made ourselves (already told). Reminder jobs carry the tracked id and version
 * only; a job whose version is stale (the visit moved) or whose visit was cancelled does nothing.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { EmrAppointment } from '../emr/emr-adapter';
import type { KeyRing } from '../phi/key-ring';

export interface TrackedAppointment {
  readonly id: string;
  readonly practiceId: string;
  readonly patientId: string;
  readonly appointmentEmrId: string;
  readonly start: Date;
  readonly status: 'booked' | 'cancelled';
  readonly version: number;
}

/** What an observation of the EMR changed. */
export type Observation =
  | { readonly change: 'none' | 'untracked' }
  | {
      readonly change: 'new' | 'moved' | 'cancelled';
      readonly tracked: TrackedAppointment;
      readonly previous?: TrackedAppointment;
    };

const GONE = new Set(['cancelled', 'entered-in-error', 'noshow']);

export class AppointmentTracker {
  constructor(private readonly keyRing: KeyRing) {}

  /** Records the appointment as it is now (a booking or move we made): no change will be reported for it. */
  async track(
    db: Kysely<Database>,
    practiceId: string,
    patientId: string,
    appointment: EmrAppointment,
  ): Promise<TrackedAppointment> {
    const observed = await this.observe(db, practiceId, patientId, appointment);
    if ('tracked' in observed) return observed.tracked;
    const current = await this.byAppointment(db, practiceId, appointment.emrId);
    if (!current) throw new Error('tracked appointment vanished');
    return current;
  }

  /**
   * Applies what the EMR says of an appointment of `patientId`: a new booked one is tracked, a moved one gets a new
   * version, a cancelled one is marked. Returns what changed.
   */
  async observe(
    db: Kysely<Database>,
    practiceId: string,
    patientId: string,
    appointment: EmrAppointment,
  ): Promise<Observation> {
    const previous = await this.byAppointment(db, practiceId, appointment.emrId);
    const gone = GONE.has(appointment.status);
    const known_enc = this.keyRing.encryptJson({
      appointmentEmrId: appointment.emrId,
      start: appointment.start.toISOString(),
    });
    if (!previous) {
      if (gone) return { change: 'untracked' };
      await db
        .insertInto('tracked_appointments')
        .values({
          practice_id: practiceId,
          patient_id: patientId,
          appointment_ref: this.ref(appointment.emrId),
          known_enc,
          status: 'booked',
        })
        .onConflict((conflict) => conflict.columns(['practice_id', 'appointment_ref']).doNothing())
        .execute();
      const tracked = await this.byAppointment(db, practiceId, appointment.emrId);
      return tracked ? { change: 'new', tracked } : { change: 'none' };
    }
    if (previous.status === 'cancelled') return { change: 'none' };
    if (gone) {
      await this.update(db, previous.id, { status: 'cancelled', updated_at: new Date() });
      return { change: 'cancelled', tracked: { ...previous, status: 'cancelled' }, previous };
    }
    if (appointment.start.getTime() === previous.start.getTime()) return { change: 'none' };
    const version = previous.version + 1;
    await this.update(db, previous.id, { known_enc, version, confirmed_at: null, updated_at: new Date() });
    return { change: 'moved', tracked: { ...previous, start: appointment.start, version }, previous };
  }

  /** Marks an appointment we cancelled ourselves, so the change feed reports nothing new. */
  async cancelled(
    db: Kysely<Database>,
    practiceId: string,
    appointmentEmrId: string,
  ): Promise<TrackedAppointment | undefined> {
    const tracked = await this.byAppointment(db, practiceId, appointmentEmrId);
    if (tracked?.status !== 'booked') return undefined;
    await this.update(db, tracked.id, { status: 'cancelled', updated_at: new Date() });
    return { ...tracked, status: 'cancelled' };
  }

  async get(db: Kysely<Database>, id: string): Promise<TrackedAppointment | undefined> {
    const row = await db.selectFrom('tracked_appointments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toTracked(row);
  }

  async confirm(db: Kysely<Database>, id: string): Promise<void> {
    await this.update(db, id, { confirmed_at: new Date(), updated_at: new Date() });
  }

  private async byAppointment(
    db: Kysely<Database>,
    practiceId: string,
    appointmentEmrId: string,
  ): Promise<TrackedAppointment | undefined> {
    const row = await db
      .selectFrom('tracked_appointments')
      .selectAll()
      .where('practice_id', '=', practiceId)
      .where('appointment_ref', '=', this.ref(appointmentEmrId))
      .executeTakeFirst();
    return row && this.toTracked(row);
  }

  private async update(
    db: Kysely<Database>,
    id: string,
    values: {
      status?: 'booked' | 'cancelled';
      known_enc?: string;
      version?: number;
      confirmed_at?: null | Date;
      updated_at: Date;
    },
  ): Promise<void> {
    await db.updateTable('tracked_appointments').set(values).where('id', '=', id).execute();
  }

  private ref(appointmentEmrId: string): string {
    return this.keyRing.blindIndex('appointment', appointmentEmrId);
  }

  private toTracked(row: {
    id: string;
    practice_id: string;
    patient_id: string;
    known_enc: string;
    status: 'booked' | 'cancelled';
    version: number;
  }): TrackedAppointment {
    const known = this.keyRing.decryptJson<{ appointmentEmrId: string; start: string }>(row.known_enc);
    return {
      id: row.id,
      practiceId: row.practice_id,
      patientId: row.patient_id,
      appointmentEmrId: known.appointmentEmrId,
      start: new Date(known.start),
      status: row.status,
      version: row.version,
    };
  }
}
