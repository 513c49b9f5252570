/**
 * Kysely table types of the staff inbox (migrations/0015): inbox items (handoff requests with a queue life), notes,
 * canned responses, break-glass grants and staff replies kept for a secure link. `Database` extends `InboxTables`.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Department } from './staff-tables';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Optional<T> = ColumnType<T, T | undefined, T>;

export type InboxItemState = 'waiting' | 'assigned' | 'closed';
export type InboxPriority = 'normal' | 'urgent';

export interface HandoffRequestsTable {
  id: Generated<number>;
  conversation_id: string;
  reason: string;
  department: Optional<Department>;
  location_id: ColumnType<string | null, string | null | undefined, string | null>;
  state: Optional<InboxItemState>;
  assignee_id: ColumnType<string | null, string | null | undefined, string | null>;
  priority: Optional<InboxPriority>;
  due_at: NullableTimestamp;
  escalated_at: NullableTimestamp;
  claimed_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  outcome: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InboxTables {
  handoff_requests: HandoffRequestsTable;
  inbox_notes: {
    id: Generated<number>;
    conversation_id: string;
    staff_id: string;
    body_enc: string | null;
    created_at: Timestamp;
  };
  canned_responses: {
    id: Generated<string>;
    practice_id: string;
    title: string;
    body: string;
    updated_by: string | null;
    updated_at: Timestamp;
  };
  break_glass_grants: {
    id: Generated<number>;
    staff_id: string;
    conversation_id: string;
    reason_enc: string;
    expires_at: Timestamp;
    reviewed_at: NullableTimestamp;
    reviewed_by: ColumnType<string | null, string | null | undefined, string | null>;
    created_at: Timestamp;
  };
  staff_secure_messages: {
    id: Generated<string>;
    conversation_id: string;
    patient_id: string | null;
    body_enc: string | null;
    created_at: Timestamp;
  };
}
