/**
 * One interface for every outbound channel. A sender receives a message that has been through the outbox and says
 * what the provider answered, or throws a SendError that says whether retrying can help; the outbox records status
 * and decides about retries and dead letters.
 */
import type { Channel } from '../conversation/conversation-repository';
import type { QuickReply } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';

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
  readonly channel: Channel;
  readonly seq: number;
  /** The channel address: E.164 phone, `whatsapp:+E.164`, Messenger PSID, web chat visitor id. */
  readonly recipient: string;
  readonly text: string;
  readonly quickReplies: readonly QuickReply[];
  readonly author: 'bot' | 'staff' | 'system';
  readonly lang: Language;
  /** The patient's last inbound message, for messaging windows. */
  readonly lastInboundAt: Date | null;
}

export interface SendResult {
  /** What the provider accepted it as; later provider status callbacks move it forward. */
  readonly status: 'queued' | 'sent' | 'delivered';
  readonly providerMessageId?: string;
}

/**
 * `transient`: try again later (network, 5xx, 429). Everything else is permanent: retrying the same request cannot
 * succeed. `opted_out` must be recorded against the contact; `window_closed` means a template (or a person) is needed.
 */
export type SendErrorKind = 'transient' | 'opted_out' | 'window_closed' | 'invalid_recipient' | 'too_long' | 'rejected';

export class SendError extends Error {
  constructor(
    readonly kind: SendErrorKind,
    /** The provider's own code (Twilio 21610, Graph 10/2018278 as "10/2018278"), never message text. */
    readonly providerCode: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendError';
  }
}

export interface ChannelSender {
  readonly channel: Channel;
  readonly capabilities: ChannelCapabilities;
  send(message: OutboundToSend): Promise<SendResult>;
}

/** Where webhooks report provider delivery statuses; statuses only ever move forward. */
export interface ProviderStatusSink {
  recordProviderStatus(update: {
    readonly channel: Channel;
    readonly providerMessageId: string;
    readonly status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered' | 'canceled';
    readonly errorCode?: string;
  }): Promise<void>;
}
