/**
 * Facebook Messenger delivery through the Graph Send API. The messaging window is decided here, before any call:
 * within 24 h of the patient's last message anything may go as a `RESPONSE`; after that only a person on staff may
 * answer, for 7 days, with the `HUMAN_AGENT` tag; the bot never messages outside the window. The page token travels
 * in the Authorization header (never in the URL, which proxies and access logs keep) with an `appsecret_proof`.
 * Messenger is a no-PHI channel: Meta offers no BAA.
 */
import { type GatedMessage, assertGated } from '../../consent/phi-gate';
import crypto from 'node:crypto';
import { z } from 'zod';
import type { QuickReply } from '../../conversation/outbound-draft';
import {
  type ChannelCapabilities,
  type ChannelSender,
  type OutboundToSend,
  SendError,
  type SendResult,
} from '../channel-sender';
import { classifyGraphFailure } from './graph-send-errors';

const HOUR_MS = 60 * 60 * 1000;
export const RESPONSE_WINDOW_HOURS = 24;
export const HUMAN_AGENT_WINDOW_HOURS = 7 * 24;
export const MAX_TEXT_LENGTH = 2000;
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_TITLE = 20;

/** The sender's own settings; the composition root fills them from META_* configuration. */
export const messengerSenderSettingsSchema = z.object({
  pageAccessToken: z.string().trim().min(1, 'is required'),
  appSecret: z.string().trim().min(1, 'is required'),
  graphBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('https://graph.facebook.com')
    .transform((url) => url.replace(/\/+$/, '')),
  graphApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
  requestTimeoutMs: z.number().int().positive().default(10_000),
});

export type MessengerSenderSettings = z.input<typeof messengerSenderSettingsSchema>;

export type MessagingType =
  { readonly messaging_type: 'RESPONSE' } | { readonly messaging_type: 'MESSAGE_TAG'; readonly tag: 'HUMAN_AGENT' };

interface GraphQuickReply {
  readonly content_type: 'text';
  readonly title: string;
  readonly payload: string;
}

const sendSuccessSchema = z.object({ message_id: z.string().min(1) });

export class MessengerSender implements ChannelSender {
  readonly channel = 'messenger';
  readonly capabilities: ChannelCapabilities = {
    maxLength: MAX_TEXT_LENGTH,
    quickReplies: true,
    phiAllowed: false,
    messagingWindowHours: RESPONSE_WINDOW_HOURS,
  };
  private readonly settings: z.output<typeof messengerSenderSettingsSchema>;
  private readonly appsecretProof: string;
  private readonly now: () => Date;

  constructor(settings: MessengerSenderSettings, options: { readonly now?: () => Date } = {}) {
    this.settings = messengerSenderSettingsSchema.parse(settings);
    this.appsecretProof = computeAppsecretProof(this.settings.pageAccessToken, this.settings.appSecret);
    this.now = options.now ?? (() => new Date());
  }

  async send(message: GatedMessage): Promise<SendResult> {
    assertGated(message);
    assertSendable(message.text);
    const messagingType = chooseMessagingType(message, this.now());
    const quickReplies = toGraphQuickReplies(message.quickReplies);
    const response = await this.post({
      recipient: { id: message.recipient },
      ...messagingType,
      message: { text: message.text, ...(quickReplies ? { quick_replies: quickReplies } : {}) },
      appsecret_proof: this.appsecretProof,
    });
    if (!response.ok) throw classifyGraphFailure(response.status, response.body);
    // A 2xx without a message id is not worth a retry: the message may well have gone out.
    const success = sendSuccessSchema.safeParse(response.body);
    return { status: 'sent', ...(success.success ? { providerMessageId: success.data.message_id } : {}) };
  }

  private async post(body: object): Promise<{ ok: boolean; status: number; body: unknown }> {
    const { graphBaseUrl, graphApiVersion, pageAccessToken, requestTimeoutMs } = this.settings;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${graphBaseUrl}/${graphApiVersion}/me/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pageAccessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new SendError('transient', undefined, 'Graph API could not be reached', { cause: error });
    }
    return { ok: response.ok, status: response.status, body: parseJsonOrUndefined(text) };
  }
}

/** `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app secret. */
export function computeAppsecretProof(accessToken: string, appSecret: string): string {
  return crypto.createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/** Whether Messenger still takes a staff reply (with the HUMAN_AGENT tag after 24 h): within 7 days. */
export function messengerTakesStaffReply(lastInboundAt: Date | null, now: Date): boolean {
  return lastInboundAt !== null && now.getTime() - lastInboundAt.getTime() < HUMAN_AGENT_WINDOW_HOURS * HOUR_MS;
}

/**
 * The messaging type allowed at `now`, or a `window_closed` SendError: within 24 h of the patient's last message a
 * `RESPONSE`; after that, for staff only and within 7 days, the `HUMAN_AGENT` tag.
 */
export function chooseMessagingType(
  message: Pick<OutboundToSend, 'author' | 'lastInboundAt'>,
  now: Date,
): MessagingType {
  const elapsedMs =
    message.lastInboundAt === null ? Number.POSITIVE_INFINITY : now.getTime() - message.lastInboundAt.getTime();
  if (elapsedMs < RESPONSE_WINDOW_HOURS * HOUR_MS) return { messaging_type: 'RESPONSE' };
  if (message.author === 'staff' && elapsedMs < HUMAN_AGENT_WINDOW_HOURS * HOUR_MS) {
    return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
  }
  const reason = message.author === 'staff' ? 'more than 7 days' : 'more than 24 hours (only staff may answer later)';
  throw new SendError('window_closed', undefined, `Messenger window closed: the patient last wrote ${reason} ago`);
}

/** Messenger quick replies: at most 13, titles of at most 20 characters; undefined when there are none. */
export function toGraphQuickReplies(quickReplies: readonly QuickReply[]): GraphQuickReply[] | undefined {
  if (quickReplies.length === 0) return undefined;
  return quickReplies.slice(0, MAX_QUICK_REPLIES).map((reply) => ({
    content_type: 'text',
    title: shortenTitle(reply.title),
    payload: reply.payload === '' ? reply.title : reply.payload,
  }));
}

/** Fits a title into `max` characters (code points), cutting at a word boundary when one is near, with an ellipsis. */
export function shortenTitle(title: string, max = MAX_QUICK_REPLY_TITLE): string {
  const clean = title.trim().replace(/\s+/g, ' ');
  const characters = [...clean];
  if (characters.length <= max) return clean;
  const head = characters.slice(0, max - 1).join('');
  const lastSpace = head.lastIndexOf(' ');
  const cut = lastSpace >= Math.floor(max / 2) ? head.slice(0, lastSpace) : head;
  return `${cut.trimEnd()}…`;
}

function assertSendable(text: string): void {
  if (text.trim() === '') throw new SendError('rejected', undefined, 'Messenger messages need text');
  if ([...text].length > MAX_TEXT_LENGTH) {
    throw new SendError('too_long', undefined, `Messenger text is limited to ${MAX_TEXT_LENGTH} characters`);
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
