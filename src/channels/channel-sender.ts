/**
 * One interface for every outbound channel. A sender receives a message that has been through the outbox and says
 * what the provider answered, or throws a SendError that says whether retrying can help; the outbox records status
 * and decides about retries and dead letters.
 */
import type { Channel } from '../conversation/conversation-repository';
import type { QuickReply } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';
import type { GatedMessage } from '../consent/phi-gate';

export interface ChannelCapabilities {
  readonly maxLength: number;
  readonly quickReplies: boolean;
  /** Whether PHI may ever travel on this channel (subject to the policy). */
  readonly phiAllowed: boolean;
  /** Hours after the patient's last message during which free-form replies are allowed; undefined: no window. */
  readonly messagingWindowHours?: number;
}

/** True when a channel without a window, or the patient wrote within the channel's window before `now`. */
export function isWithinWindow(capabilities: ChannelCapabilities, lastInboundAt: Date | null, now: Date): boolean {
  const hours = capabilities.messagingWindowHours;
  if (hours === undefined) return true;
  return lastInboundAt !== null && now.getTime() - lastInboundAt.getTime() < hours * 3_600_000;
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
  readonly status: 'accepted' | 'sent' | 'delivered';
  readonly providerMessageId?: string;
}

/**
 * `transient`: try again later (network, 5xx, 429). Everything else is permanent: retrying the same request cannot
 * succeed. `opted_out` must be recorded against the contact; `window_closed` means a template (or a person) is needed.
 */
export type SendErrorKind = 'transient' | 'opted_out' | 'window_closed' | 'invalid_recipient' | 'too_long' | 'rejected';

export class SendError extends Error {
  /** True when the request may have reached the provider (no answer came back): retrying could send it twice. */
  readonly maybeDelivered: boolean;

  constructor(
    readonly kind: SendErrorKind,
    /** The provider's own code (Twilio 21610, Graph 10/2018278 as "10/2018278"), never message text. */
    readonly providerCode: string | undefined,
    message: string,
    options?: { cause?: unknown; maybeDelivered?: boolean },
  ) {
    super(message, options);
    this.name = 'SendError';
    this.maybeDelivered = options?.maybeDelivered ?? false;
  }
}

export interface ChannelSender {
  readonly channel: Channel;
  readonly capabilities: ChannelCapabilities;
  /** Only what the PHI gate released: implementations call `assertGated` first. */
  send(message: GatedMessage): Promise<SendResult>;
  /**
   * For channels whose messaging window can close (WhatsApp): sends the approved template that invites the patient
   * to reply, instead of the message itself, which then waits for the reply. Absent: the sender decides in `send`.
   */
  sendWindowNudge?(message: GatedMessage): Promise<SendResult>;
}

/** Where webhooks report provider delivery statuses; statuses only ever move forward. */
export interface ProviderStatusSink {
  recordProviderStatus(update: {
    readonly channel: Channel;
    readonly providerMessageId: string;
    readonly status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered' | 'canceled';
    readonly errorCode?: string;
    /** Our outbound id when the provider echoes it (the statusCallback URL carries it). */
    readonly outboundMessageId?: number;
  }): Promise<void>;
}
