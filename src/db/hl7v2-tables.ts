/**
 * Kysely table types of the HL7 v2 EHR adapter's mirror (migrations/0011_hl7v2_mirror.sql): appointments and patients
 * as the EHR's SIU feed describes them, and our SRM requests. Kept apart from schema.ts so the adapter only sees its
 * own tables.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface Hl7v2AppointmentsTable {
  id: Generated<number>;
  practice_id: string;
  /** SCH-2, the EHR's appointment id. */
  filler_id: string;
  /** SCH-1: our idempotency key when we requested the appointment. */
  placer_id: Nullable<string>;
  /** Blind index of the patient's EMR id. */
  patient_hash: string;
  /** FHIR Appointment.status words. */
  status: string;
  /** Encrypted JSON: patient id, times, visit type, practitioner, location. */
  details_enc: string;
  /** Taken from hl7v2_change_seq on every change; the `changes` cursor. */
  change_seq: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Hl7v2PatientsTable {
  id: Generated<number>;
  practice_id: string;
  /** PID-3. */
  emr_id: string;
  /** Encrypted JSON: given, family, birthDate, phone, email. */
  demographics_enc: string;
  phone_hash: Nullable<string>;
  birth_date_hash: Nullable<string>;
  family_hash: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type Hl7v2RequestKind = 'book' | 'reschedule' | 'cancel';
export type Hl7v2RequestStatus = 'sent' | 'accepted' | 'rejected' | 'unanswered';

export interface Hl7v2OutgoingRequestsTable {
  id: Generated<number>;
  practice_id: string;
  idempotency_key: string;
  kind: Hl7v2RequestKind;
  /** ARQ-1 as sent. */
  placer_id: string;
  /** ARQ-2 as sent (reschedule and cancel). */
  appointment_emr_id: Nullable<string>;
  /** MSH-10, the same for every resend. */
  message_control_id: string;
  status: ColumnType<Hl7v2RequestStatus, Hl7v2RequestStatus | undefined, Hl7v2RequestStatus>;
  /** MSA-1 of the EHR's ACK. */
  ack_code: Nullable<string>;
  /** ERR-3 code of the EHR's ACK. */
  error_code: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Hl7v2Tables {
  hl7v2_appointments: Hl7v2AppointmentsTable;
  hl7v2_patients: Hl7v2PatientsTable;
  hl7v2_outgoing_requests: Hl7v2OutgoingRequestsTable;
}
