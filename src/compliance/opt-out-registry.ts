/**
 * Whether a contact may receive automated messages on a text channel. Every STOP, START, free-text revocation and
 * provider opt-out (Twilio 21610) lands here; the outbox asks before sending anything automated.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';

export type OptOutSource = 'keyword' | 'free_text' | 'provider' | 'staff';

/** Records the change and its audit event; run it in a transaction so both commit or neither. */
export async function recordOptOut(
  db: Kysely<Database>,
  audit: AuditLog,
  contactId: string,
  channel: string,
  optedOut: boolean,
  source: OptOutSource,
): Promise<void> {
  await audit.append(db, {
    actor: source === 'keyword' || source === 'free_text' ? `patient:${contactId}` : source === 'provider' ? 'provider' : 'staff',
    action: optedOut ? 'consent.revoked' : 'consent.granted',
    patientRef: `contact:${contactId}`,
    purpose: 'automated_messages',
    details: { channel, source },
  });
  const row = { contact_id: contactId, channel, opted_out: optedOut, source, updated_at: new Date() };
  await db
    .insertInto('channel_opt_outs')
    .values(row)
    .onConflict((conflict) => conflict.column('contact_id').doUpdateSet({ opted_out: optedOut, source, updated_at: row.updated_at }))
    .execute();
}

export async function isOptedOut(db: Kysely<Database>, contactId: string): Promise<boolean> {
  const row = await db.selectFrom('channel_opt_outs').select('opted_out').where('contact_id', '=', contactId).executeTakeFirst();
  return row?.opted_out ?? false;
}
