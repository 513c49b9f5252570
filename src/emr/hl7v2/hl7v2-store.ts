/**
 * The mirror of the EHR's appointments, kept from its SIU feed: what `getAppointment`, `listUpcoming` and `changes`
 * read. The details (patient, times, visit type, practitioner, location) are one encrypted JSON value; the patient is
 * also a blind index so a patient's rows are found without decrypting anyone else's.
 */
import { type Kysely, sql } from 'kysely';
import type { Hl7v2Tables } from '../../db/hl7v2-tables';
import type { KeyRing } from '../../phi/key-ring';
import type { EmrAppointment, EmrPatient, PatientCriteria } from '../emr-adapter';
import { MirroredPatients } from './mirrored-patients';
import { OutgoingRequests } from './outgoing-requests';
import type { SiuEvent } from './siu-events';

/** What details_enc holds; times as ISO strings. The key order is fixed so equal details encrypt from equal JSON. */
interface AppointmentDetails {
  readonly patientEmrId: string;
  readonly start: string;
  readonly end: string;
  readonly visitType: string;
  readonly practitionerName: string;
  readonly practitionerEmrId?: string;
  readonly locationName: string;
  readonly locationEmrId?: string;
}

/** A mirrored appointment and the placer id (our idempotency key) it was requested under, if we requested it. */
export interface MirroredAppointment {
  readonly appointment: EmrAppointment;
  readonly placerId?: string;
}

/** applied: the mirror changed; unchanged: a resend of what it holds; ignored: an unknown appointment's removal. */
export type SiuApplyOutcome = 'applied' | 'unchanged' | 'ignored';

/** Statuses `listUpcoming` reports (the port: booked or pending). */
const UPCOMING_STATUSES = ['booked', 'pending'] as const;

interface AppointmentRow {
  filler_id: string;
  placer_id: string | null;
  status: string;
  details_enc: string;
  change_seq: number;
}

const ROW_COLUMNS = ['filler_id', 'placer_id', 'status', 'details_enc', 'change_seq'] as const;

export class Hl7v2Store {
  readonly requests: OutgoingRequests;
  private readonly patients: MirroredPatients;

  constructor(
    private readonly db: Kysely<Hl7v2Tables>,
    private readonly practiceId: string,
    private readonly keyRing: KeyRing,
  ) {
    this.requests = new OutgoingRequests(db, practiceId);
    this.patients = new MirroredPatients(keyRing, practiceId);
  }

  /** Patients seen in the feed matching every criterion (checked by the caller). */
  matchPatients(criteria: PatientCriteria): Promise<EmrPatient[]> {
    return this.patients.match(this.db, criteria);
  }

  listPatients(): Promise<EmrPatient[]> {
    return this.patients.list(this.db);
  }

  async getAppointment(fillerId: string): Promise<MirroredAppointment | undefined> {
    const row = await this.appointments().where('filler_id', '=', fillerId).executeTakeFirst();
    return row && this.toMirrored(row);
  }

  /** The latest appointment requested under this placer id (our idempotency key). */
  async findByPlacerId(placerId: string): Promise<MirroredAppointment | undefined> {
    const row = await this.appointments()
      .where('placer_id', '=', placerId)
      .orderBy('change_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && this.toMirrored(row);
  }

  /** Booked or pending appointments of the patient starting at or after `from`, soonest first. */
  async listUpcoming(patientEmrId: string, from: Date): Promise<EmrAppointment[]> {
    const rows = await this.appointments()
      .where('patient_hash', '=', this.patientIndex(patientEmrId))
      .where('status', 'in', [...UPCOMING_STATUSES])
      .execute();
    return rows
      .map((row) => this.toMirrored(row).appointment)
      .filter((appointment) => appointment.start >= from)
      .sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  /** Appointments changed after sequence number `after`, in order, and the last one's number (or `after`). */
  async changes(after: number, limit: number): Promise<{ appointments: EmrAppointment[]; last: number }> {
    const rows = await this.appointments().where('change_seq', '>', after).orderBy('change_seq').limit(limit).execute();
    return {
      appointments: rows.map((row) => this.toMirrored(row).appointment),
      last: Number(rows.at(-1)?.change_seq ?? after), // int8 may come back as a string, depending on the pool
    };
  }

  /**
   * Applies one SIU in a transaction holding the practice's lock: the sequence numbers it takes commit in order, so
   * `changes` never passes over one that commits later.
   */
  async applySiuEvent(event: SiuEvent): Promise<SiuApplyOutcome> {
    return this.db.transaction().execute(async (transaction) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`hl7v2-mirror:${this.practiceId}`}, 0))`.execute(
        transaction,
      );
      if (event.patient) await this.patients.save(transaction, event.patient);
      const row = await this.appointments(transaction).where('filler_id', '=', event.fillerId).executeTakeFirst();
      const previousJson = row && this.keyRing.decrypt(row.details_enc);
      const previous = previousJson === undefined ? undefined : (JSON.parse(previousJson) as AppointmentDetails);
      const details = mergeDetails(event, previous);
      if (details === undefined) return 'ignored';
      const placerId = event.placerId ?? row?.placer_id ?? null;
      const same =
        row?.status === event.status && row.placer_id === placerId && JSON.stringify(details) === previousJson;
      if (same) return 'unchanged'; // the EHR resent a message whose ACK it missed
      await this.saveAppointment(
        transaction,
        { fillerId: event.fillerId, placerId, status: event.status, details },
        row !== undefined,
      );
      return 'applied';
    });
  }

  /** Writes the row, taking the next change number. */
  private async saveAppointment(
    db: Kysely<Hl7v2Tables>,
    appointment: { fillerId: string; placerId: string | null; status: string; details: AppointmentDetails },
    exists: boolean,
  ): Promise<void> {
    const values = {
      placer_id: appointment.placerId,
      patient_hash: this.patientIndex(appointment.details.patientEmrId),
      status: appointment.status,
      details_enc: this.keyRing.encryptJson(appointment.details),
      updated_at: new Date(),
    };
    if (!exists) {
      await db
        .insertInto('hl7v2_appointments')
        .values({ practice_id: this.practiceId, filler_id: appointment.fillerId, ...values })
        .execute();
      return;
    }
    await db
      .updateTable('hl7v2_appointments')
      .set({ ...values, change_seq: sql<number>`nextval('hl7v2_change_seq')` })
      .where('practice_id', '=', this.practiceId)
      .where('filler_id', '=', appointment.fillerId)
      .execute();
  }

  private appointments(db: Kysely<Hl7v2Tables> = this.db) {
    return db.selectFrom('hl7v2_appointments').select(ROW_COLUMNS).where('practice_id', '=', this.practiceId);
  }

  private toMirrored(row: AppointmentRow): MirroredAppointment {
    const details = this.keyRing.decryptJson<AppointmentDetails>(row.details_enc);
    const appointment: EmrAppointment = {
      emrId: row.filler_id,
      patientEmrId: details.patientEmrId,
      start: new Date(details.start),
      end: new Date(details.end),
      status: row.status,
      visitType: details.visitType,
      practitionerName: details.practitionerName,
      locationName: details.locationName,
      ...(details.practitionerEmrId === undefined ? {} : { practitionerEmrId: details.practitionerEmrId }),
    };
    return row.placer_id === null ? { appointment } : { appointment, placerId: row.placer_id };
  }

  private patientIndex(patientEmrId: string): string {
    return this.keyRing.blindIndex('hl7v2-appointment:patient', patientEmrId);
  }
}

/**
 * The message's details over what the mirror held: a cancellation often names only the appointment, so what it
 * leaves out is kept. Undefined when neither says who or when (a removal of an appointment we never saw).
 */
function mergeDetails(event: SiuEvent, previous: AppointmentDetails | undefined): AppointmentDetails | undefined {
  const patientEmrId = event.patientEmrId ?? previous?.patientEmrId;
  const start = event.timing?.start.toISOString() ?? previous?.start;
  const end = event.timing?.end.toISOString() ?? previous?.end;
  if (patientEmrId === undefined || start === undefined || end === undefined) return undefined;
  return {
    patientEmrId,
    start,
    end,
    visitType: event.visitType || previous?.visitType || '',
    practitionerName: event.practitionerName || previous?.practitionerName || '',
    practitionerEmrId: event.practitionerEmrId ?? previous?.practitionerEmrId,
    locationName: event.locationName || previous?.locationName || '',
    locationEmrId: event.locationEmrId ?? previous?.locationEmrId,
  };
}
