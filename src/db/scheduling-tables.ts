/**
 * Kysely table types of scheduling (migrations/0010, 0012): the requests written before every EMR change, the
 * appointments we remind of and watch, and how far the EMR's change feed was read. Kept apart from schema.ts so the
 * feature stays self-contained; `Database` extends them.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type SchedulingRequestKind = 'book' | 'reschedule' | 'cancel' | 'new_patient';
export type SchedulingRequestStatus =
  | 'requested'
  | 'waiting_for_emr'
  | 'booked'
  | 'pending'
  | 'cancelled'
  | 'slot_taken'
  | 'rejected'
  | 'needs_staff'
  | 'completed';

export interface SchedulingRequestsTable {
  id: Generated<string>;
  practice_id: string;
  conversation_id: Nullable<string>;
  inbound_message_id: Nullable<number>;
  patient_id: Nullable<string>;
  kind: SchedulingRequestKind;
  idempotency_key: string;
  status: SchedulingRequestStatus;
  details_enc: string;
  outcome_enc: Nullable<string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: NullableTimestamp;
  last_error: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TrackedAppointmentsTable {
  id: Generated<string>;
  practice_id: string;
  patient_id: string;
  appointment_ref: string;
  known_enc: string;
  status: 'booked' | 'cancelled';
  version: ColumnType<number, number | undefined, number>;
  confirmed_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface EmrChangeCursorsTable {
  practice_id: string;
  cursor: string;
  updated_at: Timestamp;
}

export interface SchedulingTables {
  scheduling_requests: SchedulingRequestsTable;
  tracked_appointments: TrackedAppointmentsTable;
  emr_change_cursors: EmrChangeCursorsTable;
}
