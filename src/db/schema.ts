/** Kysely table types, kept in step with migrations/. */
import type { ContentTables } from './content-tables';
import type { Hl7v2Tables } from './hl7v2-tables';
import type { SchedulingTables } from './scheduling-tables';
import type { StaffTables } from './staff-tables';
import type { InboxTables } from './inbox-tables';
import type { SecureLinkTables } from './secure-link-tables';
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, T | string, T | string>;

export interface PracticesTable {
  id: string;
  name: string;
  profile: Json<unknown>;
  created_at: Timestamp;
}

export interface LocationsTable {
  id: string;
  practice_id: string;
  name: string;
  time_zone: string;
  details: Json<unknown>;
  created_at: Timestamp;
}

export interface FaqEntriesTable {
  practice_id: string;
  topic: string;
  lang: string;
  answer: string;
  updated_at: Timestamp;
}

export interface FlowsTable {
  id: string;
  practice_id: string;
  key: string;
  created_at: Timestamp;
}

export interface FlowVersionsTable {
  id: Generated<number>;
  flow_id: string;
  version: number;
  status: 'draft' | 'published' | 'archived';
  definition: Json<unknown>;
  created_at: Timestamp;
  published_at: Date | null;
}

export interface ContactsTable {
  id: Generated<string>;
  practice_id: string;
  channel: string;
  address_hash: string;
  address_enc: string;
  /** The patient this address proved to be, and when (DOB + a code sent to the phone on record). */
  patient_id: ColumnType<string | null, string | null | undefined, string | null>;
  verified_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
}

export type ConversationState = 'bot' | 'waiting' | 'assigned' | 'closed';

export interface ConversationsTable {
  id: Generated<string>;
  practice_id: string;
  contact_id: string;
  channel: string;
  state: ColumnType<ConversationState, ConversationState | undefined, ConversationState>;
  language: 'en' | 'es' | null;
  last_seq: ColumnType<number, number | undefined, number>;
  memory: ColumnType<Record<string, unknown>, string | undefined, string>;
  last_inbound_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InboundMessagesTable {
  id: Generated<number>;
  conversation_id: string;
  channel: string;
  provider_message_id: string;
  seq: number;
  body_enc: string | null;
  payload_enc: string | null;
  received_at: Timestamp;
  processed_at: Date | null;
}

export type OutboundStatus =
  /** Ours: waiting to be handed to the provider. */
  | 'queued'
  /** Ours: a send attempt is (or was, if interrupted) under way since claimed_at. */
  | 'sending'
  /** The provider has it (its own queued/accepted/sending). */
  | 'accepted'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'undelivered'
  | 'dead'
  /** Quiet hours: goes at not_before. */
  | 'held'
  /** WhatsApp window closed: a template nudge went; this goes when the patient replies. */
  | 'awaiting_reply';

export interface OutboundMessagesTable {
  id: Generated<number>;
  conversation_id: string;
  inbound_message_id: number | null;
  channel: string;
  seq: number;
  author: ColumnType<'bot' | 'staff' | 'system', 'bot' | 'staff' | 'system' | undefined>;
  classification: 'none' | 'phi';
  language: 'en' | 'es' | null;
  body_enc: string | null;
  quick_replies_enc: string | null;
  status: ColumnType<OutboundStatus, OutboundStatus | undefined, OutboundStatus>;
  status_history: Json<Array<{ status: OutboundStatus; at: string }>>;
  provider_message_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error_code: string | null;
  claimed_at: Date | null;
  not_before: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DialogStateTable {
  key_hash: string;
  value_enc: string;
  updated_at: Timestamp;
}

/** Append-only (a trigger refuses UPDATE and DELETE): src/consent/consent-ledger.ts. */
export interface ConsentEventsTable {
  id: Generated<number>;
  practice_id: string;
  contact_id: string;
  channel: string;
  purpose: 'messages' | 'phi_messages' | 'reminders' | 'marketing';
  action: 'granted' | 'revoked' | 'requested';
  source: 'patient_reply' | 'stop_keyword' | 'staff' | 'secure_page' | 'carrier' | 'bot';
  actor: string;
  evidence_enc: string | null;
  created_at: Generated<Date>;
}

/** Hash-chained audit trail (src/audit/audit-log.ts): ids and outcomes, never PHI. */
export interface AuditEventsTable {
  id: Generated<number>;
  at: Date;
  actor: string;
  action: string;
  patient_ref: string | null;
  purpose: string | null;
  request_id: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface PatientsTable {
  id: Generated<string>;
  practice_id: string;
  emr_id: string;
  demographics_enc: string;
  phone_hash: string | null;
  birth_date_hash: string;
  duplicate_hash: string;
  synced_at: Timestamp;
  created_at: Timestamp;
}

export interface PatientDuplicateFlagsTable {
  id: Generated<number>;
  practice_id: string;
  patient_id: string;
  other_patient_id: string;
  status: ColumnType<'open' | 'merged' | 'dismissed', 'open' | 'merged' | 'dismissed' | undefined>;
  created_at: Timestamp;
}

export interface Database
  extends SecureLinkTables, SchedulingTables, Hl7v2Tables, StaffTables, InboxTables, ContentTables {
  patients: PatientsTable;
  patient_duplicate_flags: PatientDuplicateFlagsTable;
  audit_events: AuditEventsTable;
  consent_events: ConsentEventsTable;
  practices: PracticesTable;
  locations: LocationsTable;
  faq_entries: FaqEntriesTable;
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  contacts: ContactsTable;
  conversations: ConversationsTable;
  inbound_messages: InboundMessagesTable;
  outbound_messages: OutboundMessagesTable;
  dialog_state: DialogStateTable;
}

export type Conversation = Selectable<ConversationsTable>;
export type InboundMessage = Selectable<InboundMessagesTable>;
export type OutboundMessage = Selectable<OutboundMessagesTable>;
