/**
 * Whether a contact may receive automated messages on a text channel: the `messages` consent of the ledger. STOP,
 * a free-text revocation or a carrier opt-out (Twilio 21610) revokes it, and with it every consent granted on that
 * channel (PHI by SMS, reminders, marketing); START grants `messages` back and nothing more, so PHI and marketing
 * must be asked for again. The outbox asks before sending anything automated.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import {
  type ConsentEvidence,
  type ConsentLedger,
  type ConsentPurpose,
  type ConsentSource,
  currentConsent,
} from './consent-ledger';

export type OptOutSource = 'keyword' | 'free_text' | 'provider' | 'staff';

export interface OptOutChange {
  readonly practiceId: string;
  readonly contactId: string;
  readonly channel: string;
  /** false: the contact subscribes again (START). */
  readonly optedOut: boolean;
  readonly source: OptOutSource;
  readonly evidence: ConsentEvidence;
}

const CONSENTS_ON_TOP: readonly ConsentPurpose[] = ['phi_messages', 'reminders', 'marketing'];

/** Records the change in the ledger (and the audit trail); run it in a transaction so all of it commits or none. */
export async function recordOptOut(db: Kysely<Database>, ledger: ConsentLedger, change: OptOutChange): Promise<void> {
  const purposes: ConsentPurpose[] = ['messages'];
  if (change.optedOut) {
    for (const purpose of CONSENTS_ON_TOP) {
      if ((await currentConsent(db, change.contactId, change.channel, purpose)) === 'granted') purposes.push(purpose);
    }
  }
  for (const purpose of purposes) {
    await ledger.record(db, {
      practiceId: change.practiceId,
      contactId: change.contactId,
      channel: change.channel,
      purpose,
      action: change.optedOut ? 'revoked' : 'granted',
      source: consentSourceOf(change),
      actor:
        change.source === 'provider' ? 'carrier' : change.source === 'staff' ? 'staff' : `patient:${change.contactId}`,
      evidence: change.evidence,
    });
  }
}

export async function isOptedOut(db: Kysely<Database>, contactId: string, channel: string): Promise<boolean> {
  return (await currentConsent(db, contactId, channel, 'messages')) === 'revoked';
}

function consentSourceOf(change: OptOutChange): ConsentSource {
  if (change.source === 'provider') return 'carrier';
  if (change.source === 'staff') return 'staff';
  return change.source === 'keyword' && change.optedOut ? 'stop_keyword' : 'patient_reply';
}
