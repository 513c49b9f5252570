/**
 * A message the practice starts rather than a reply (a reminder, a notice): written to the outbox like any other,
 * so the PHI gate, opt-outs, quiet hours and the WhatsApp template rule apply on its way out.
 */
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Channel, ConversationRepository } from '../conversation/conversation-repository';
import type { IngestService } from '../conversation/ingest-service';
import type { Database } from '../db/schema';
import type { PhiGate } from '../consent/phi-gate';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';
import { type SendOutboundJobData, sendOutboundQueue } from '../queues/send-outbound-queue';

export interface AutomatedMessage {
  readonly practiceId: string;
  readonly channel: Exclude<Channel, 'webchat'>;
  /** E.164 phone (SMS, WhatsApp) or Messenger PSID. */
  readonly address: string;
  readonly text: string;
  readonly lang: Language;
  /** `system`: a compliance or security message (a verification code) that is not held for quiet hours. */
  readonly author?: 'bot' | 'system';
}

export interface AutomatedMessageDeps {
  readonly db: Kysely<Database>;
  readonly ingest: Pick<IngestService, 'openConversation'>;
  readonly repository: ConversationRepository;
  readonly sendQueue: Queue<SendOutboundJobData>;
  readonly gate: PhiGate;
}

/** Queues the message in the contact's conversation (opened if needed); returns the outbound id. */
export async function queueAutomatedMessage(deps: AutomatedMessageDeps, message: AutomatedMessage): Promise<number> {
  const conversation = await deps.ingest.openConversation(message.practiceId, message.channel, message.address);
  const draft: OutboundDraft = {
    text: message.text,
    quickReplies: [],
    classification: 'none',
    author: message.author ?? 'bot',
  };
  const [id] = await deps.db.transaction().execute(async (trx) => {
    const { drafts } = await deps.gate.pass(trx, conversation, [draft], { lang: message.lang, inboundMessageId: null });
    return deps.repository.insertOutbound(trx, conversation, null, drafts, message.lang);
  });
  if (id === undefined) throw new Error('the outbound message was not stored');
  await sendOutboundQueue.addJob(deps.sendQueue, { outboundMessageId: id });
  return id;
}

/**
 * Queues bot messages in an existing conversation outside a turn, through the PHI gate like any reply: a late answer
 * to the patient's message `inReplyTo` (a request that had to wait), or, without it, an automated message (a
 * reminder) that quiet hours may hold. Returns the outbound ids.
 */
export async function queueConversationMessages(
  deps: Omit<AutomatedMessageDeps, 'ingest'>,
  conversationId: string,
  drafts: readonly OutboundDraft[],
  lang: Language,
  inReplyTo: number | null = null,
): Promise<number[]> {
  const ids = await deps.db.transaction().execute(async (trx) => {
    const conversation = await trx
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirst();
    if (!conversation) return [];
    const gated = await deps.gate.pass(trx, conversation, drafts, { lang, inboundMessageId: inReplyTo });
    return deps.repository.insertOutbound(trx, conversation, inReplyTo, gated.drafts, lang);
  });
  for (const id of ids) await sendOutboundQueue.addJob(deps.sendQueue, { outboundMessageId: id });
  return ids;
}
