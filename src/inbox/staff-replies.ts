/**
 * A staff member's reply to a patient. It passes the PHI gate like any bot reply: text that looks like health
 * information (or that staff mark so) is classified `phi`, kept sealed, and goes as is only where the policy allows;
 * elsewhere the patient gets a secure link to it. "Send as secure link" always does that.
 */
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { DraftShaper } from '../channels/draft-shaping';
import { messengerTakesStaffReply } from '../channels/messenger/messenger-sender';
import { secureLinkOffer } from '../consent/phi-consent-wording';
import type { PhiGate, SecureLinkIssuer } from '../consent/phi-gate';
import type { ConversationEvents } from '../conversation/conversation-events';
import type { ConversationRepository } from '../conversation/conversation-repository';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Database } from '../db/schema';
import { ValidationError } from '../errors';
import type { PatientDirectory } from '../identity/patient-directory';
import { STAFF_MESSAGE_TOPIC } from '../identity/secure-page-records';
import type { KeyRing } from '../phi/key-ring';
import { type SendOutboundJobData, sendOutboundQueue } from '../queues/send-outbound-queue';
import type { StaffContext } from './staff-scope';

export const MAX_REPLY_LENGTH = 1600;

/** Dates, long numbers, emails and clinical words: likely PHI, so the gate decides. */
const LIKELY_PHI =
  /\b\d{1,2}\/\d{1,2}(\/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b|\d{5,}|@|\b(results?|labs?|diagnos\w*|prescri\w*|medications?|dose|mg|biopsy|x-?ray|mri|blood|pregnan\w*|hiv|refill|resultados?|receta|medicamentos?|an[aá]lisis)\b/i;

export function looksLikePhi(text: string): boolean {
  return LIKELY_PHI.test(text);
}

export interface StaffRepliesDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly gate: PhiGate;
  readonly links: SecureLinkIssuer;
  readonly directory: PatientDirectory;
  readonly repository: ConversationRepository;
  readonly sendQueue: Queue<SendOutboundJobData>;
  readonly events: ConversationEvents;
  readonly audit: AuditLog;
  readonly shapeDrafts?: DraftShaper;
  readonly now: () => Date;
}

export type ReplyDelivery = 'as_is' | 'secure_link';

export class StaffReplies {
  constructor(private readonly deps: StaffRepliesDeps) {}

  async send(
    staff: StaffContext,
    conversationId: string,
    body: string,
    options: { readonly asSecureLink?: boolean; readonly containsPhi?: boolean } = {},
  ): Promise<ReplyDelivery> {
    const text = body.trim();
    if (text === '') throw new ValidationError('the reply is empty');
    if (text.length > MAX_REPLY_LENGTH) throw new ValidationError(`a reply is at most ${MAX_REPLY_LENGTH} characters`);
    const { ids, delivery } = await this.deps.db.transaction().execute(async (trx) => {
      const conversation = await this.deps.repository.lockConversation(trx, conversationId);
      if (
        conversation.channel === 'messenger' &&
        !messengerTakesStaffReply(conversation.last_inbound_at, this.deps.now())
      )
        throw new ValidationError('Messenger takes no reply more than 7 days after the patient’s last message');
      const lang = conversation.language ?? 'en';
      const patientId = (await this.deps.directory.verifiedContact(trx, conversation.contact_id))?.patientId ?? null;
      const phi = options.asSecureLink === true || options.containsPhi === true || looksLikePhi(text);
      let drafts: OutboundDraft[] = [{ text, quickReplies: [], classification: 'none', author: 'staff' }];
      if (phi) {
        const sealed = await trx
          .insertInto('staff_secure_messages')
          .values({ conversation_id: conversationId, patient_id: patientId, body_enc: this.deps.keyRing.encrypt(text) })
          .returning('id')
          .executeTakeFirstOrThrow();
        const topic = `${STAFF_MESSAGE_TOPIC}${sealed.id}`;
        if (options.asSecureLink) {
          const link = await this.deps.links.issue(trx, {
            ...{ practiceId: conversation.practice_id, conversationId, contactId: conversation.contact_id },
            ...{ patientId, topic },
          });
          drafts = [
            { text: secureLinkOffer(link.url, lang), quickReplies: [], classification: 'none', author: 'staff' },
          ];
        } else {
          drafts = [{ text, quickReplies: [], classification: 'phi', phi: { topic, patientId }, author: 'staff' }];
        }
      }
      const gated = await this.deps.gate.pass(trx, conversation, drafts, { lang, inboundMessageId: null });
      const shaped = this.deps.shapeDrafts
        ? this.deps.shapeDrafts(conversation.channel, gated.drafts, lang)
        : gated.drafts;
      const withheld = phi && !gated.drafts.some((draft) => draft.classification === 'phi');
      const delivered: ReplyDelivery = options.asSecureLink || withheld ? 'secure_link' : 'as_is';
      const outboundIds = await this.deps.repository.insertOutbound(trx, conversation, null, shaped, lang);
      await this.deps.audit.append(trx, {
        actor: `staff:${staff.id}`,
        action: 'inbox.replied',
        details: { conversation: conversationId, classification: phi ? 'phi' : 'none', delivery: delivered },
      });
      return { ids: outboundIds, delivery: delivered };
    });
    for (const outboundMessageId of ids) await sendOutboundQueue.addJob(this.deps.sendQueue, { outboundMessageId });
    await this.deps.events.publish({ type: 'inbox', conversationId, change: 'message' }).catch(() => undefined);
    return delivery;
  }
}
