/**
 * Reads a patient's upcoming appointments from the EMR. Every read is PHI access, so each one appends an audit
 * event (who, which patient, why) before the data is returned.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { EmrAdapter, EmrAppointment } from '../emr/emr-adapter';
import type { PatientDirectory } from '../identity/patient-directory';

export interface PhiAccess {
  /** `bot`, `patient:<id>` (the secure page), `staff:<id>`. */
  readonly actor: string;
  readonly purpose: string;
  readonly requestId?: string;
}

export class UpcomingAppointments {
  constructor(
    private readonly emr: EmrAdapter,
    private readonly directory: PatientDirectory,
    private readonly audit: AuditLog,
  ) {}

  async list(db: Kysely<Database>, patientId: string, from: Date, access: PhiAccess): Promise<EmrAppointment[]> {
    const patient = await this.directory.get(db, patientId);
    if (!patient) return [];
    await this.audit.append(db, {
      ...access,
      action: 'phi.read',
      patientRef: `patient:${patientId}`,
      details: { record: 'appointments' },
    });
    return this.emr.listUpcoming(patient.emrId, from);
  }
}
