/**
 * `concierge keys rotate`: re-seals every encrypted column under the active key (the first in PHI_KEYS), in small
 * batches while the product runs. Each value is swapped only if it is still the one read (compare and swap), so a
 * row the product rewrote meanwhile (already under the active key) is never overwritten with older content. Once it
 * reports nothing left, keys other than the active one and the last one can leave the ring; the last key anchors
 * blind indexes and derived secrets (key-ring.ts) and stays.
 */
import { type Kysely, sql } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { KeyRing } from './key-ring';

/** Every encrypted column, with the column that identifies its row (a test holds this to the schema's `_enc` columns). */
export const ENCRYPTED_COLUMNS = [
  { table: 'contacts', id: 'id', column: 'address_enc' },
  { table: 'inbound_messages', id: 'id', column: 'body_enc' },
  { table: 'inbound_messages', id: 'id', column: 'payload_enc' },
  { table: 'outbound_messages', id: 'id', column: 'body_enc' },
  { table: 'outbound_messages', id: 'id', column: 'quick_replies_enc' },
  { table: 'dialog_state', id: 'key_hash', column: 'value_enc' },
  { table: 'patients', id: 'id', column: 'demographics_enc' },
  { table: 'scheduling_requests', id: 'id', column: 'details_enc' },
  { table: 'scheduling_requests', id: 'id', column: 'outcome_enc' },
  { table: 'tracked_appointments', id: 'id', column: 'known_enc' },
  { table: 'hl7v2_appointments', id: 'id', column: 'details_enc' },
  { table: 'hl7v2_patients', id: 'id', column: 'demographics_enc' },
  { table: 'staff_users', id: 'id', column: 'totp_secret_enc' },
  { table: 'inbox_notes', id: 'id', column: 'body_enc' },
  { table: 'break_glass_grants', id: 'id', column: 'reason_enc' },
  { table: 'staff_secure_messages', id: 'id', column: 'body_enc' },
] as const;

/** Append-only: the trigger refuses the update, so consent evidence stays under the key that sealed it. */
export const SEALED_FOR_GOOD = [{ table: 'consent_events', column: 'evidence_enc' }] as const;

const DEFAULT_BATCH = 500;

export type RotationReport = Record<string, { resealed: number; changedMeanwhile: number }>;

export async function rotateKeys(
  db: Kysely<Database>,
  keyRing: KeyRing,
  audit: AuditLog,
  batch = DEFAULT_BATCH,
): Promise<RotationReport> {
  const report: RotationReport = {};
  const activePrefix = `v1:${keyRing.activeKeyIdentifier}:`;
  for (const { table, id, column } of ENCRYPTED_COLUMNS) {
    const counts = { resealed: 0, changedMeanwhile: 0 };
    for (;;) {
      // Re-sealed rows drop out of this selection, so each batch starts from the top again.
      const { rows } = await sql<{ id: string; value: string }>`
        select ${sql.ref(id)}::text as id, ${sql.ref(column)} as value from ${sql.table(table)}
        where ${sql.ref(column)} is not null and ${sql.ref(column)} not like ${`${activePrefix}%`}
        limit ${batch}`.execute(db);
      let progress = 0;
      for (const row of rows) {
        const resealed = keyRing.encrypt(keyRing.decrypt(row.value));
        const result = await sql`
          update ${sql.table(table)} set ${sql.ref(column)} = ${resealed}
          where ${sql.ref(id)} = ${row.id} and ${sql.ref(column)} = ${row.value}`.execute(db);
        if (Number(result.numAffectedRows ?? 0) === 1) progress += 1;
        else counts.changedMeanwhile += 1;
      }
      counts.resealed += progress;
      // Nothing left, or rows keep being rewritten under another key (a process still running an older ring).
      if (rows.length < batch || progress === 0) break;
    }
    report[`${table}.${column}`] = counts;
  }
  await db.transaction().execute((trx) =>
    audit.append(trx, {
      actor: 'cli',
      action: 'keys.rotated',
      details: {
        activeKey: keyRing.activeKeyIdentifier,
        resealed: Object.values(report).reduce((total, counts) => total + counts.resealed, 0),
      },
    }),
  );
  return report;
}
