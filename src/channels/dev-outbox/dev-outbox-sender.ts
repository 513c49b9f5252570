/**
 * With no provider credentials (demo mode), text-channel messages are "delivered" to the dev outbox: they stay in
 * the outbound table and /dev/outbox shows them, so the whole product can be tried with no accounts.
 */
import { type GatedMessage, assertGated } from '../../consent/phi-gate';
import type { Channel } from '../../conversation/conversation-repository';
import type { ChannelCapabilities, ChannelSender, SendResult } from '../channel-sender';

const CAPABILITIES: Record<'sms' | 'whatsapp' | 'messenger', ChannelCapabilities> = {
  sms: { maxLength: 320, quickReplies: false, phiAllowed: true },
  whatsapp: { maxLength: 1600, quickReplies: false, phiAllowed: false, messagingWindowHours: 24 },
  messenger: { maxLength: 2000, quickReplies: true, phiAllowed: false, messagingWindowHours: 24 },
};

export class DevOutboxSender implements ChannelSender {
  readonly capabilities: ChannelCapabilities;

  constructor(readonly channel: Extract<Channel, 'sms' | 'whatsapp' | 'messenger'>) {
    this.capabilities = CAPABILITIES[channel];
  }

  async send(message: GatedMessage): Promise<SendResult> {
    assertGated(message);
    return { status: 'delivered', providerMessageId: `dev-${message.outboundMessageId}` };
  }
}
