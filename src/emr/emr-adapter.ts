/**
 * The EMR port: what the product asks of a practice's EHR (the embedded demo, a FHIR R4 server, an HL7 v2 feed).
 * Adapters speak the EHR's protocol and hand back these plain records; the product keeps only EMR ids and its own
 * encrypted copies, so every record carries the EHR's id.
 */

export const EMR_ADAPTER_KINDS = ['demo', 'fhir', 'hl7v2'] as const;
export type EmrAdapterKind = (typeof EMR_ADAPTER_KINDS)[number];

export interface EmrPatient {
  /** FHIR Patient.id (or the EHR's own patient id). */
  readonly emrId: string;
  readonly given: string;
  readonly family: string;
  /** YYYY-MM-DD. */
  readonly birthDate: string;
  /** E.164, the mobile phone on record. */
  readonly phone?: string;
  readonly email?: string;
}

export interface EmrAppointment {
  /** FHIR Appointment.id. */
  readonly emrId: string;
  readonly start: Date;
  readonly end: Date;
  /** FHIR Appointment.status (booked, pending, ...). */
  readonly status: string;
  /** e.g. 'Annual physical'. */
  readonly visitType: string;
  /** e.g. 'Dr. Maria Alvarez'. */
  readonly practitionerName: string;
  /** e.g. 'Main Street Office'. */
  readonly locationName: string;
}

export interface PatientCriteria {
  /** E.164. */
  readonly phone?: string;
  /** YYYY-MM-DD. */
  readonly birthDate?: string;
  /** Matched whole and case-insensitively, never as a prefix. */
  readonly family?: string;
  readonly given?: string;
}

export interface EmrAdapter {
  readonly kind: EmrAdapterKind;
  /** Patients matching every given criterion (a family shares a phone: several may match). */
  matchPatient(criteria: PatientCriteria): Promise<EmrPatient[]>;
  /** Every patient (for the product's cached, encrypted copy); the demo has a handful. */
  listPatients(): Promise<EmrPatient[]>;
  /** Booked/pending appointments of the patient starting at or after `from`, soonest first. */
  listUpcoming(patientEmrId: string, from: Date): Promise<EmrAppointment[]>;
  close(): Promise<void>;
}
