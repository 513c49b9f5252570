/**
 * One interface for every outbound channel. A sender receives a message that has been through the outbox and says
 * what the provider answered; the outbox records status and decides about retries.
 */
import type { QuickReply } from '../conversation/outbound-draft';

export interface ChannelCapabilities {
  readonly maxLength: number;
  readonly quickReplies: boolean;
  /** Whether PHI may ever travel on this channel (subject to the policy). */
  readonly phiAllowed: boolean;
  /** Hours after the patient's last message during which free-form replies are allowed; undefined: no window. */
  readonly messagingWindowHours?: number;
}

export interface OutboundToSend {
  readonly outboundMessageId: number;
  readonly conversationId: string;
  readonly seq: number;
  readonly text: string;
  readonly quickReplies: readonly QuickReply[];
}

export interface SendResult {
  readonly status: 'sent' | 'delivered';
  readonly providerMessageId?: string;
}

export interface ChannelSender {
  readonly channel: string;
  readonly capabilities: ChannelCapabilities;
  send(message: OutboundToSend): Promise<SendResult>;
}
