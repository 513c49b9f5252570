/**
 * The hash-chained audit log. Appends are serialized (a transaction-scoped advisory lock) so the chain stays a single
 * line; each row's hash is an HMAC over its fields and the previous row's hash, keyed from the PHI key ring, so the
 * chain cannot be recomputed by someone who can only edit the database. Events carry actors, ids and outcomes, never
 * PHI: callers pass internal references (contact or patient ids), not names, numbers or message text.
 */
import crypto from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditEventsTable, Database } from '../db/schema';
import type { KeyRing } from '../phi/key-ring';
import { equalInConstantTime } from '../phi/constant-time';

export interface AuditEvent {
  /** Who acted: `system`, `patient:<contact id>`, `staff:<id>`, `cli`. */
  readonly actor: string;
  /** What happened, dotted: `consent.revoked`, `phi.disclosed`, `identity.check_failed`, `keys.rotated`. */
  readonly action: string;
  /** An internal patient or contact id, never PHI. */
  readonly patientRef?: string;
  readonly purpose?: string;
  readonly requestId?: string;
  /** Ids and outcomes only. */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface ChainBreak {
  readonly id: number;
  /** `edited`: the row's own hash does not match its fields; `unlinked`: the row before it was removed or moved. */
  readonly problem: 'edited' | 'unlinked';
}

export type ChainReport = { readonly ok: true; readonly events: number } | { readonly ok: false; readonly events: number; readonly firstBreak: ChainBreak };

/** What a row's hash covers: every column but its id and the hash itself (details as JSON text). */
type ChainedFields = Omit<Selectable<AuditEventsTable>, 'id' | 'hash' | 'details'> & { readonly details: string };

const GENESIS = '0'.repeat(64);
/** The advisory lock that serializes appends (any constant no other lock uses). */
const APPEND_LOCK = 0x6175_6469; // "audi"
const VERIFY_BATCH = 1_000;

export class AuditLog {
  private readonly key: Buffer;

  constructor(keyRing: KeyRing) {
    this.key = keyRing.deriveSecret('audit-chain');
  }

  /** Appends one event; run it inside the transaction whose change it records, so both commit or neither. */
  async append(db: Kysely<Database>, event: AuditEvent): Promise<void> {
    await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(db);
    const last = await db.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const row = {
      at: new Date(),
      actor: event.actor,
      action: event.action,
      patient_ref: event.patientRef ?? null,
      purpose: event.purpose ?? null,
      request_id: event.requestId ?? null,
      details: JSON.stringify(event.details ?? {}),
      prev_hash: last?.hash ?? GENESIS,
    };
    await db.insertInto('audit_events').values({ ...row, hash: this.hashOf(row) }).execute();
  }

  /** Walks the chain in order and reports the first row that does not hold. */
  async verify(db: Kysely<Database>): Promise<ChainReport> {
    let previous = GENESIS;
    let afterId = 0;
    let events = 0;
    for (;;) {
      const rows = await db.selectFrom('audit_events').selectAll().where('id', '>', afterId).orderBy('id').limit(VERIFY_BATCH).execute();
      if (rows.length === 0) return { ok: true, events };
      for (const row of rows) {
        events += 1;
        if (row.prev_hash !== previous) return { ok: false, events, firstBreak: { id: row.id, problem: 'unlinked' } };
        const expected = this.hashOf({ ...row, details: canonicalJson(row.details) });
        if (!equalInConstantTime(expected, row.hash)) return { ok: false, events, firstBreak: { id: row.id, problem: 'edited' } };
        previous = row.hash;
        afterId = row.id;
      }
    }
  }

  private hashOf(row: ChainedFields): string {
    const fields = [row.at.toISOString(), row.actor, row.action, row.patient_ref, row.purpose, row.request_id, canonicalJson(JSON.parse(row.details)), row.prev_hash];
    return crypto.createHmac('sha256', this.key).update(JSON.stringify(fields)).digest('hex');
  }
}

/** JSON with keys sorted, so jsonb's own key order never changes a hash. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
