/**
 * The consent ledger: every grant, revocation and request is a new row of `consent_events` (a database trigger
 * refuses updates and deletes) and an audit event, in the caller's transaction. The current state of a consent is
 * its latest event. Evidence (which message, the exact wording shown, IP and user agent, a staff note) is encrypted:
 * it may quote the patient.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { KeyRing } from '../phi/key-ring';

export type ConsentPurpose = 'messages' | 'phi_messages' | 'reminders' | 'marketing';
export type ConsentAction = 'granted' | 'revoked' | 'requested';
export type ConsentSource = 'patient_reply' | 'stop_keyword' | 'staff' | 'secure_page' | 'carrier' | 'bot';

export interface ConsentEvidence {
  readonly inboundMessageId?: number;
  readonly outboundMessageId?: number;
  /** The exact words the patient saw or wrote. */
  readonly wording?: string;
  /** The patient's answer, when `wording` is the question they answered. */
  readonly reply?: string;
  readonly providerCode?: string;
  readonly ip?: string;
  readonly userAgent?: string;
  readonly note?: string;
}

export interface ConsentChange {
  readonly practiceId: string;
  readonly contactId: string;
  readonly channel: string;
  readonly purpose: ConsentPurpose;
  readonly action: ConsentAction;
  readonly source: ConsentSource;
  /** `patient:<contact id>`, `staff:<id>`, `carrier`. */
  readonly actor: string;
  readonly evidence: ConsentEvidence;
}

export interface ConsentHistoryEntry extends Omit<ConsentChange, 'evidence' | 'practiceId'> {
  readonly at: Date;
  /** Undefined for events carried over from before the ledger. */
  readonly evidence?: ConsentEvidence;
}

/** The latest action on a consent, or undefined when nothing was ever recorded. */
export async function currentConsent(
  db: Kysely<Database>,
  contactId: string,
  channel: string,
  purpose: ConsentPurpose,
): Promise<ConsentAction | undefined> {
  return (await latestEvent(db, contactId, channel, purpose).select('action').executeTakeFirst())?.action;
}

/** The newest event of one consent (contact, channel, purpose). */
function latestEvent(db: Kysely<Database>, contactId: string, channel: string, purpose: ConsentPurpose) {
  return db
    .selectFrom('consent_events')
    .where('contact_id', '=', contactId)
    .where('channel', '=', channel)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1);
}

export class ConsentLedger {
  constructor(
    private readonly keyRing: KeyRing,
    private readonly audit: AuditLog,
  ) {}

  /** Appends the change and its audit event; run it in a transaction so both commit or neither. */
  async record(db: Kysely<Database>, change: ConsentChange): Promise<void> {
    await db
      .insertInto('consent_events')
      .values({
        practice_id: change.practiceId,
        contact_id: change.contactId,
        channel: change.channel,
        purpose: change.purpose,
        action: change.action,
        source: change.source,
        actor: change.actor,
        evidence_enc: this.keyRing.encryptJson(change.evidence),
      })
      .execute();
    await this.audit.append(db, {
      actor: change.actor,
      action: `consent.${change.action}`,
      patientRef: `contact:${change.contactId}`,
      purpose: change.purpose,
      details: { channel: change.channel, source: change.source },
    });
  }

  /** The evidence of the latest event with this action (e.g. the exact question a YES answers). */
  async latestEvidence(
    db: Kysely<Database>,
    contactId: string,
    channel: string,
    purpose: ConsentPurpose,
    action: ConsentAction,
  ): Promise<ConsentEvidence | undefined> {
    const row = await latestEvent(db, contactId, channel, purpose).where('action', '=', action).select('evidence_enc').executeTakeFirst();
    return row?.evidence_enc ? this.keyRing.decryptJson<ConsentEvidence>(row.evidence_enc) : undefined;
  }

  /** Every event of these contacts, oldest first, evidence decrypted. */
  async history(db: Kysely<Database>, contactIds: readonly string[]): Promise<ConsentHistoryEntry[]> {
    if (contactIds.length === 0) return [];
    const rows = await db
      .selectFrom('consent_events')
      .selectAll()
      .where('contact_id', 'in', contactIds)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      at: row.created_at,
      contactId: row.contact_id,
      channel: row.channel,
      purpose: row.purpose,
      action: row.action,
      source: row.source,
      actor: row.actor,
      ...(row.evidence_enc === null ? {} : { evidence: this.keyRing.decryptJson<ConsentEvidence>(row.evidence_enc) }),
    }));
  }
}
