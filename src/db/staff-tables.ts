/**
 * Kysely table types of staff accounts and sessions (migrations/0013, 0014). Kept apart from schema.ts so the feature stays
 * self-contained; `Database` extends `StaffTables`.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export const STAFF_ROLES = ['front_desk', 'nurse', 'billing', 'practice_manager', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const DEPARTMENTS = ['front_desk', 'nurse_line', 'billing', 'practice_management'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export interface StaffUsersTable {
  id: Generated<string>;
  practice_id: string;
  email: string;
  name: string;
  role: StaffRole;
  password_hash: string;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  totp_secret_enc: ColumnType<string | null, string | null | undefined, string | null>;
  totp_enrolled_at: NullableTimestamp;
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: NullableTimestamp;
  disabled_at: NullableTimestamp;
  /** Takes new items automatically, up to `capacity` open at once (round-robin). */
  available: ColumnType<boolean, boolean | undefined, boolean>;
  capacity: ColumnType<number, number | undefined, number>;
  last_assigned_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type SessionStep = 'change_password' | 'enroll_totp' | 'verify_totp' | 'active';
export type SessionEnd = 'signed_out' | 'idle' | 'lifetime' | 'replaced' | 'reset' | 'revoked';

export interface StaffSessionsTable {
  id: Generated<string>;
  staff_id: string;
  token_hash: string;
  step: SessionStep;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: NullableTimestamp;
  end_reason: ColumnType<SessionEnd | null, SessionEnd | null | undefined, SessionEnd | null>;
}

export interface StaffTables {
  staff_sessions: StaffSessionsTable;
  staff_users: StaffUsersTable;
  staff_departments: { staff_id: string; department: Department };
  staff_locations: { staff_id: string; location_id: string };
}
