/**
 * A message the practice starts rather than a reply (a reminder, a notice): written to the outbox like any other,
 * so opt-outs, quiet hours and the WhatsApp template rule apply on its way out. Always classified `none`: nothing
 * here may carry PHI until the PHI gate exists.
 */
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Channel, ConversationRepository } from '../conversation/conversation-repository';
import type { IngestService } from '../conversation/ingest-service';
import type { Database } from '../db/schema';
import type { Language } from '../nlu/nlu-engine';
import { type SendOutboundJobData, sendOutboundQueue } from '../queues/send-outbound-queue';

export interface AutomatedMessage {
  readonly practiceId: string;
  readonly channel: Exclude<Channel, 'webchat'>;
  /** E.164 phone (SMS, WhatsApp) or Messenger PSID. */
  readonly address: string;
  readonly text: string;
  readonly lang: Language;
}

export interface AutomatedMessageDeps {
  readonly db: Kysely<Database>;
  readonly ingest: Pick<IngestService, 'openConversation'>;
  readonly repository: ConversationRepository;
  readonly sendQueue: Queue<SendOutboundJobData>;
}

/** Queues the message in the contact's conversation (opened if needed); returns the outbound id. */
export async function queueAutomatedMessage(deps: AutomatedMessageDeps, message: AutomatedMessage): Promise<number> {
  const conversation = await deps.ingest.openConversation(message.practiceId, message.channel, message.address);
  const [id] = await deps.db
    .transaction()
    .execute((trx) =>
      deps.repository.insertOutbound(trx, conversation, null, [{ text: message.text, quickReplies: [], classification: 'none' }], message.lang),
    );
  if (id === undefined) throw new Error('the outbound message was not stored');
  await sendOutboundQueue.addJob(deps.sendQueue, { outboundMessageId: id });
  return id;
}
