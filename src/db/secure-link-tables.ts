/**
 * Kysely table types of the secure-link handoff (migrations/0007, 0008): links to the secure page, the one-time-code
 * challenges behind them, the counters that rate-limit both, and the codes that continue in a verified web chat.
 * Kept apart from schema.ts so the feature stays self-contained; `Database` extends `SecureLinkTables`.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * `active`: waiting for the identity check; `verified`: a browser session is open; then one of the ends:
 * `closed` (signed out, idle or session limit), `superseded` (a newer link), `locked` (too many attempts),
 * `expired` (ended early by `SecureLinks.expire`; an active link past `expires_at` is expired without a write).
 */
export type SecureLinkStatus = 'active' | 'verified' | 'closed' | 'superseded' | 'locked' | 'expired';
export type SecureSessionEnd = 'signed_out' | 'idle' | 'session_limit';
export type CodeDelivery = 'sms' | 'email';

export interface SecureLinksTable {
  id: Generated<string>;
  practice_id: string;
  conversation_id: string;
  contact_id: string;
  /** Known at issue, or the patient who verified; often unknown until then (a family shares a phone). */
  patient_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** What the page shows after verification, e.g. `appointments`. */
  topic: string;
  language: 'en' | 'es';
  /** HMAC-SHA256 of the token; the token itself is never stored. */
  token_hash: string;
  status: ColumnType<SecureLinkStatus, SecureLinkStatus | undefined, SecureLinkStatus>;
  expires_at: Timestamp;
  verified_at: NullableTimestamp;
  /** HMAC of the browser session cookie set at verification. */
  session_hash: ColumnType<string | null, string | null | undefined, string | null>;
  last_activity_at: NullableTimestamp;
  closed_reason: ColumnType<SecureSessionEnd | null, SecureSessionEnd | null | undefined, SecureSessionEnd | null>;
  ended_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface OtpChallengesTable {
  id: Generated<number>;
  practice_id: string;
  link_id: string;
  contact_id: string;
  /** Null for a decoy: nothing matched the date of birth, no code was sent and none can succeed. */
  patient_id: string | null;
  code_hash: string;
  /** How the code was (or, for a decoy, would have been) sent: the patient's choice on the page. */
  delivery: ColumnType<CodeDelivery, CodeDelivery | undefined, CodeDelivery>;
  attempts: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp;
  locked_until: NullableTimestamp;
  verified_at: NullableTimestamp;
  created_at: Timestamp;
}

/** Fixed-window counters; `bucket` is a blind index (it may stand for an IP address or a phone number). */
export interface RateLimitCountersTable {
  bucket: string;
  window_start: Date;
  hits: number;
}

/** One-time codes from the secure page to a verified web chat (migrations/0008_verified_chat_handoffs.sql). */
export interface VerifiedChatHandoffsTable {
  id: Generated<number>;
  practice_id: string;
  link_id: string;
  patient_id: string;
  language: 'en' | 'es';
  /** HMAC-SHA256 of the code; the code exists only in the link on the secure page. */
  code_hash: string;
  expires_at: Timestamp;
  redeemed_at: NullableTimestamp;
  conversation_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

/** A type (not an interface) so `db.withTables<SecureLinkTables>()` accepts it until `Database` includes it. */
export type SecureLinkTables = {
  secure_links: SecureLinksTable;
  otp_challenges: OtpChallengesTable;
  rate_limit_counters: RateLimitCountersTable;
  verified_chat_handoffs: VerifiedChatHandoffsTable;
};
