/**
 * "Continue in a verified web chat": the secure page, once the patient has passed the identity check, links to
 * `/chat?continue=<code>`. The chat sends the code in its first frame; redeeming it opens a web chat for a new
 * visitor whose contact is verified as that patient, so the web chat policy (`after_verification`) lets PHI answers
 * through there. A code is 32 random bytes, stored as an HMAC, valid 10 minutes and once. The visitor token the chat
 * then gets lasts only as long as a secure-page session, so the verified chat ends with it.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { ConversationRepository } from '../conversation/conversation-repository';
import type { Conversation, Database } from '../db/schema';
import type { KeyRing } from '../phi/key-ring';
import type { PatientDirectory } from './patient-directory';
import type { SecurePageLanguage } from './secure-links';

export const HANDOFF_TTL_MS = 10 * 60_000;
/** How long the verified chat's visitor token lasts (the secure page's own session limit). */
export const VERIFIED_CHAT_TOKEN_SECONDS = 30 * 60;
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface VerifiedChatHandoffsDeps {
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly directory: PatientDirectory;
  readonly repository: ConversationRepository;
  readonly now?: () => Date;
}

export interface HandoffInput {
  readonly practiceId: string;
  readonly linkId: string;
  readonly patientId: string;
  readonly language: SecurePageLanguage;
}

export class VerifiedChatHandoffs {
  private readonly codeKey: Buffer;
  private readonly now: () => Date;

  constructor(private readonly deps: VerifiedChatHandoffsDeps) {
    this.codeKey = deps.keyRing.deriveSecret('verified-chat-handoff');
    this.now = deps.now ?? (() => new Date());
  }

  /** A new one-time code for this verified patient; it exists only in the returned value. */
  async issue(db: Kysely<Database>, input: HandoffInput): Promise<string> {
    const code = crypto.randomBytes(32).toString('base64url');
    await db
      .insertInto('verified_chat_handoffs')
      .values({
        practice_id: input.practiceId,
        link_id: input.linkId,
        patient_id: input.patientId,
        language: input.language,
        code_hash: this.hash(code),
        expires_at: new Date(this.now().getTime() + HANDOFF_TTL_MS),
      })
      .execute();
    return code;
  }

  /**
   * Redeems `code` for the visitor `visitorId`: opens their web chat conversation, marks its contact verified as the
   * patient and audits it, all in one transaction. Undefined when the code is unknown, used, expired or for another
   * practice.
   */
  async start(
    db: Kysely<Database>,
    practiceId: string,
    code: string,
    visitorId: string,
  ): Promise<Conversation | undefined> {
    if (!CODE_PATTERN.test(code)) return undefined;
    return db.transaction().execute(async (trx) => {
      const now = this.now();
      const handoff = await trx
        .updateTable('verified_chat_handoffs')
        .set({ redeemed_at: now })
        .where('code_hash', '=', this.hash(code))
        .where('practice_id', '=', practiceId)
        .where('redeemed_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['id', 'patient_id', 'language', 'link_id'])
        .executeTakeFirst();
      if (!handoff) return undefined;
      const { repository, directory, audit } = this.deps;
      const contactId = await repository.findOrCreateContact(trx, practiceId, 'webchat', visitorId);
      const conversation = await repository.findOrCreateOpenConversation(
        trx,
        practiceId,
        contactId,
        'webchat',
        handoff.language,
      );
      await directory.markVerified(trx, contactId, handoff.patient_id, now);
      await trx
        .updateTable('verified_chat_handoffs')
        .set({ conversation_id: conversation.id })
        .where('id', '=', handoff.id)
        .execute();
      await audit.append(trx, {
        actor: `patient:${handoff.patient_id}`,
        action: 'identity.contact_verified',
        patientRef: `patient:${handoff.patient_id}`,
        purpose: 'identity',
        details: {
          contact: contactId,
          conversation: conversation.id,
          via: 'secure_page_chat',
          linkId: handoff.link_id,
        },
      });
      return conversation;
    });
  }

  private hash(code: string): string {
    return crypto.createHmac('sha256', this.codeKey).update(code).digest('base64url');
  }
}
