/**
 * Patients as the EHR's PID segments describe them: an HL7 v2 feed has no patient search, so matching reads what the
 * feed has shown us. Demographics are encrypted; phone, birth date and family name are found by blind index and
 * then compared whole after decryption (the index of a name folds case and accents, the comparison does not).
 */
import type { Kysely } from 'kysely';
import type { Hl7v2Tables } from '../../db/hl7v2-tables';
import type { KeyRing } from '../../phi/key-ring';
import type { EmrPatient, PatientCriteria } from '../emr-adapter';
import { isSameName } from '../patient-criteria';

type Demographics = Omit<EmrPatient, 'emrId'>;

export class MirroredPatients {
  constructor(
    private readonly keyRing: KeyRing,
    private readonly practiceId: string,
  ) {}

  /** Inserts or replaces the patient (by EMR id); `db` is the transaction applying the message. */
  async save(db: Kysely<Hl7v2Tables>, patient: EmrPatient): Promise<void> {
    const { emrId, ...demographics } = patient;
    const values = {
      demographics_enc: this.keyRing.encryptJson(demographics),
      phone_hash: patient.phone ? this.index('phone', patient.phone) : null,
      birth_date_hash: patient.birthDate ? this.index('birth-date', patient.birthDate) : null,
      family_hash: patient.family ? this.index('family', foldName(patient.family)) : null,
      updated_at: new Date(),
    };
    await db
      .insertInto('hl7v2_patients')
      .values({ practice_id: this.practiceId, emr_id: emrId, ...values })
      .onConflict((conflict) => conflict.columns(['practice_id', 'emr_id']).doUpdateSet(values))
      .execute();
  }

  /** Patients matching every criterion (checked by the caller), by EMR id. */
  async match(db: Kysely<Hl7v2Tables>, criteria: PatientCriteria): Promise<EmrPatient[]> {
    let query = db
      .selectFrom('hl7v2_patients')
      .select(['emr_id', 'demographics_enc'])
      .where('practice_id', '=', this.practiceId);
    if (criteria.phone !== undefined) query = query.where('phone_hash', '=', this.index('phone', criteria.phone));
    if (criteria.birthDate !== undefined)
      query = query.where('birth_date_hash', '=', this.index('birth-date', criteria.birthDate));
    if (criteria.family !== undefined)
      query = query.where('family_hash', '=', this.index('family', foldName(criteria.family)));
    const patients = (await query.orderBy('emr_id').execute()).map((row) => this.decrypt(row));
    return patients.filter(
      (patient) =>
        (criteria.family === undefined || isSameName(patient.family, criteria.family)) &&
        (criteria.given === undefined || isSameName(patient.given, criteria.given)),
    );
  }

  async list(db: Kysely<Hl7v2Tables>): Promise<EmrPatient[]> {
    const rows = await db
      .selectFrom('hl7v2_patients')
      .select(['emr_id', 'demographics_enc'])
      .where('practice_id', '=', this.practiceId)
      .orderBy('emr_id')
      .execute();
    return rows.map((row) => this.decrypt(row));
  }

  private decrypt(row: { emr_id: string; demographics_enc: string }): EmrPatient {
    return { emrId: row.emr_id, ...this.keyRing.decryptJson<Demographics>(row.demographics_enc) };
  }

  private index(purpose: 'phone' | 'birth-date' | 'family', value: string): string {
    return this.keyRing.blindIndex(`hl7v2-patient:${purpose}`, value);
  }
}

/** Coarser than the whole-name comparison (case and accents folded), so the index never misses a match. */
function foldName(name: string): string {
  return name.trim().normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
