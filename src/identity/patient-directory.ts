/**
 * The practice's patients as the product knows them: a cached copy of the EMR's demographics, encrypted, found by
 * blind indexes (phone on record, date of birth) and never by plaintext. One phone may belong to a whole family, so
 * a phone alone never names a patient: the date of birth picks one. Records that look like the same person (same
 * name and date of birth, different EMR ids) are flagged for staff, never merged here.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { EmrPatient } from '../emr/emr-adapter';
import type { KeyRing } from '../phi/key-ring';

/** A patient as the product knows them: the EMR's record and our own id. */
export type PatientRecord = EmrPatient & { readonly id: string };

/** A contact that proved who it is: the patient it speaks for, and when it proved it. */
export interface VerifiedContact {
  readonly patientId: string;
  readonly verifiedAt: Date;
}

type Demographics = Omit<PatientRecord, 'id' | 'emrId'>;

export class PatientDirectory {
  constructor(private readonly keyRing: KeyRing) {}

  /** Upserts the EMR's patients (by EMR id) and flags likely duplicates; returns how many new flags were raised. */
  async sync(db: Kysely<Database>, practiceId: string, patients: readonly EmrPatient[]): Promise<number> {
    for (const patient of patients) {
      const demographics: Demographics = {
        given: patient.given,
        family: patient.family,
        birthDate: patient.birthDate,
        ...(patient.phone ? { phone: patient.phone } : {}),
        ...(patient.email ? { email: patient.email } : {}),
      };
      const values = {
        demographics_enc: this.keyRing.encryptJson(demographics),
        phone_hash: patient.phone ? this.phoneIndex(patient.phone) : null,
        birth_date_hash: this.birthDateIndex(patient.birthDate),
        duplicate_hash: this.duplicateIndex(patient),
        synced_at: new Date(),
      };
      await db
        .insertInto('patients')
        .values({ practice_id: practiceId, emr_id: patient.emrId, ...values })
        .onConflict((conflict) => conflict.columns(['practice_id', 'emr_id']).doUpdateSet(values))
        .execute();
    }
    return this.flagDuplicates(db, practiceId);
  }

  async get(db: Kysely<Database>, patientId: string): Promise<PatientRecord | undefined> {
    const row = await db
      .selectFrom('patients')
      .select(['id', 'emr_id', 'demographics_enc'])
      .where('id', '=', patientId)
      .executeTakeFirst();
    return row && { id: row.id, emrId: row.emr_id, ...this.keyRing.decryptJson<Demographics>(row.demographics_enc) };
  }

  /** The one patient with this phone on record and this date of birth; undefined when none or ambiguous. */
  async findByPhoneAndBirthDate(
    db: Kysely<Database>,
    practiceId: string,
    phone: string,
    birthDate: string,
  ): Promise<PatientRecord | undefined> {
    const rows = await db
      .selectFrom('patients')
      .select('id')
      .where('practice_id', '=', practiceId)
      .where('phone_hash', '=', this.phoneIndex(phone))
      .where('birth_date_hash', '=', this.birthDateIndex(birthDate))
      .limit(2)
      .execute();
    return rows.length === 1 ? this.get(db, rows[0]!.id) : undefined;
  }

  /** Whether this patient's date of birth is `birthDate` (compared by blind index, no decryption). */
  async hasBirthDate(db: Kysely<Database>, patientId: string, birthDate: string): Promise<boolean> {
    const row = await db
      .selectFrom('patients')
      .select('id')
      .where('id', '=', patientId)
      .where('birth_date_hash', '=', this.birthDateIndex(birthDate))
      .executeTakeFirst();
    return row !== undefined;
  }

  async verifiedContact(db: Kysely<Database>, contactId: string): Promise<VerifiedContact | undefined> {
    const row = await db
      .selectFrom('contacts')
      .select(['patient_id', 'verified_at'])
      .where('id', '=', contactId)
      .executeTakeFirst();
    return row?.patient_id && row.verified_at ? { patientId: row.patient_id, verifiedAt: row.verified_at } : undefined;
  }

  /** The contact proved to be this patient (date of birth and a code sent to the phone on record). */
  async markVerified(db: Kysely<Database>, contactId: string, patientId: string, at: Date): Promise<void> {
    await db
      .updateTable('contacts')
      .set({ patient_id: patientId, verified_at: at })
      .where('id', '=', contactId)
      .execute();
  }

  /** Open duplicate flags, for staff. */
  async openDuplicateFlags(
    db: Kysely<Database>,
    practiceId: string,
  ): Promise<Array<{ patientId: string; otherPatientId: string }>> {
    const rows = await db
      .selectFrom('patient_duplicate_flags')
      .select(['patient_id', 'other_patient_id'])
      .where('practice_id', '=', practiceId)
      .where('status', '=', 'open')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({ patientId: row.patient_id, otherPatientId: row.other_patient_id }));
  }

  /** The key by which an E.164 phone is found among patients (and SMS/WhatsApp contacts' addresses are matched). */
  phoneIndex(phone: string): string {
    return this.keyRing.blindIndex('patient:phone', phone.replace(/^whatsapp:/, ''));
  }

  private birthDateIndex(birthDate: string): string {
    return this.keyRing.blindIndex('patient:birth-date', birthDate);
  }

  private duplicateIndex(patient: Pick<EmrPatient, 'given' | 'family' | 'birthDate'>): string {
    const name = (part: string) =>
      part
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^a-z]/g, '');
    return this.keyRing.blindIndex(
      'patient:duplicate',
      `${name(patient.family)}|${name(patient.given)}|${patient.birthDate}`,
    );
  }

  private async flagDuplicates(db: Kysely<Database>, practiceId: string): Promise<number> {
    const result = await sql<{ id: number }>`
      insert into patient_duplicate_flags (practice_id, patient_id, other_patient_id)
      select ${practiceId}, a.id, b.id from patients a
      join patients b on b.practice_id = a.practice_id and b.duplicate_hash = a.duplicate_hash and a.id < b.id
      where a.practice_id = ${practiceId}
      on conflict (patient_id, other_patient_id) do nothing
      returning id`.execute(db);
    return result.rows.length;
  }
}
