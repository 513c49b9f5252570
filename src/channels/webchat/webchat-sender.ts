/**
 * Web chat delivery: the message is already durable in the transcript, so sending is telling whichever web process
 * holds the visitor's socket that seq N exists (it reads and pushes it). A visitor who is offline gets it on replay.
 */
import { type GatedMessage, assertGated } from '../../consent/phi-gate';
import type { ConversationEvents } from '../../conversation/conversation-events';
import type { ChannelSender, SendResult } from '../channel-sender';

export class WebchatSender implements ChannelSender {
  readonly channel = 'webchat';
  readonly capabilities = { maxLength: 4000, quickReplies: true, phiAllowed: true } as const;

  constructor(private readonly events: ConversationEvents) {}

  async send(message: GatedMessage): Promise<SendResult> {
    assertGated(message);
    await this.events.publish({ type: 'message', conversationId: message.conversationId, seq: message.seq });
    return { status: 'sent', providerMessageId: `webchat-${message.outboundMessageId}` };
  }
}
