/**
 * SMS and WhatsApp delivery through the real `twilio` SDK (`messages.create` with a `statusCallback`, whose callbacks
 * move the message's status forward later). Quick replies become numbered options; SMS text loses typographic
 * look-alikes that would force UCS-2. WhatsApp free-form text only goes within 24 h of the patient's last message;
 * after that, the outbox sends the configured approved template (a generic, PHI-free nudge) through
 * `sendWindowNudge`, and the message itself waits for the patient's reply. Each statusCallback URL carries our
 * outbound id, so a send whose answer was lost is reconciled from its callback rather than sent twice.
 *
 * `messages.create` is not idempotent, so nothing here retries: every failure becomes a SendError saying whether a
 * retry can help, and the outbox decides. Error messages carry Twilio's code and HTTP status, never Twilio's own
 * message text (it quotes phone numbers) and never the request.
 */
import { type GatedMessage, assertGated } from '../../consent/phi-gate';
import twilio from 'twilio';
import TwilioServiceException from 'twilio/lib/base/TwilioServiceException';
import { z } from 'zod';
import type { Config } from '../../config';
import type { Language } from '../../nlu/nlu-engine';
import {
  type ChannelCapabilities,
  type ChannelSender,
  type OutboundToSend,
  SendError,
  type SendErrorKind,
  type SendResult,
  isWithinWindow,
} from '../channel-sender';
import { SMS_MAX_LENGTH, renderWithOptions, replaceLookAlikes } from './sms-shaping';
import { createTwilioClient } from './twilio-client';

/** Where Twilio posts delivery statuses (the webhook router serves it). */
export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
/** The query parameter of the statusCallback URL that carries our outbound message id. */
export const STATUS_CALLBACK_ID_PARAM = 'outbound';
export const WHATSAPP_PREFIX = 'whatsapp:';
const WHATSAPP_WINDOW_HOURS = 24;

/** The generic nudge sent as the template's variables when the WhatsApp window is closed: no PHI, no content. */
export const DEFAULT_WHATSAPP_NUDGE: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  en: { '1': 'You have a new message. Reply to this message to read it.' },
  es: { '1': 'Tiene un mensaje nuevo. Responda a este mensaje para leerlo.' },
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** The Twilio adapter's own settings (built from TWILIO_* and PUBLIC_URL by `twilioSettingsFromConfig`). */
export const twilioSenderSettingsSchema = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hexadecimal digits'),
  authToken: z.string().min(1, 'must not be empty'),
  apiBaseUrl: httpUrl.optional(),
  /** Our public origin; the status callback URL is built from it. */
  publicUrl: httpUrl,
  /** Sender number (E.164) or alphanumeric id for SMS; SMS is not sent without it. */
  smsFrom: z.string().min(1).optional(),
  /** WhatsApp sender (`+E.164`, with or without `whatsapp:`); WhatsApp is not sent without it. */
  whatsappFrom: z.string().min(1).optional(),
  /** Approved Content template (HX…) for messages outside the WhatsApp window. */
  whatsappTemplateSid: z
    .string()
    .regex(/^HX[0-9a-fA-F]{32}$/, 'must be HX followed by 32 hexadecimal digits')
    .optional(),
  /** The template's variables; a generic nudge by default. Must never carry PHI. */
  whatsappTemplateVariables: z.record(z.string(), z.string().max(1024)).optional(),
  timeoutMs: z.number().int().positive().optional(),
});

export type TwilioSenderSettings = z.infer<typeof twilioSenderSettingsSchema>;

/** The settings from configuration, or undefined when Twilio is not configured (no account SID or auth token). */
export function twilioSettingsFromConfig(config: Config): TwilioSenderSettings | undefined {
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN) return undefined;
  const parsed = twilioSenderSettingsSchema.safeParse({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    apiBaseUrl: config.TWILIO_API_BASE_URL,
    publicUrl: config.publicUrl,
    smsFrom: config.TWILIO_SMS_FROM,
    whatsappFrom: config.TWILIO_WHATSAPP_FROM,
    whatsappTemplateSid: config.TWILIO_WHATSAPP_TEMPLATE_SID,
  });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid Twilio settings: ${problems.join('; ')}`);
}

export interface TwilioSenderOptions {
  /** The SDK client to use; by default one is built from the settings. */
  readonly client?: twilio.Twilio;
  /** The clock for the WhatsApp window. */
  readonly now?: () => Date;
}

export interface TwilioSenders {
  readonly sms?: ChannelSender;
  readonly whatsapp?: ChannelSender;
}

/** One sender per channel whose sender address is configured, sharing one SDK client. */
export function createTwilioSenders(settings: TwilioSenderSettings, options: TwilioSenderOptions = {}): TwilioSenders {
  const client = options.client ?? createTwilioClient(settings);
  const statusCallback = `${settings.publicUrl.replace(/\/$/, '')}${TWILIO_STATUS_PATH}`;
  return {
    sms: settings.smsFrom ? new TwilioSmsSender(client, settings.smsFrom, statusCallback) : undefined,
    whatsapp: settings.whatsappFrom
      ? new TwilioWhatsappSender(client, {
          from: withWhatsappPrefix(settings.whatsappFrom),
          statusCallback,
          templateSid: settings.whatsappTemplateSid,
          templateVariables: settings.whatsappTemplateVariables,
          now: options.now ?? (() => new Date()),
        })
      : undefined,
  };
}

export class TwilioSmsSender implements ChannelSender {
  readonly channel = 'sms';
  readonly capabilities: ChannelCapabilities = {
    maxLength: SMS_MAX_LENGTH,
    quickReplies: false,
    phiAllowed: true,
  };

  constructor(
    private readonly client: twilio.Twilio,
    private readonly from: string,
    private readonly statusCallback: string,
  ) {}

  async send(message: GatedMessage): Promise<SendResult> {
    assertGated(message);
    const body = replaceLookAlikes(renderWithOptions(message.text, message.quickReplies, message.lang));
    return createMessage(this.client, {
      from: this.from,
      to: message.recipient,
      body,
      statusCallback: statusCallbackFor(this.statusCallback, message),
    });
  }
}

export interface WhatsappSenderSettings {
  readonly from: string;
  readonly statusCallback: string;
  readonly templateSid?: string;
  readonly templateVariables?: Readonly<Record<string, string>>;
  readonly now: () => Date;
}

export class TwilioWhatsappSender implements ChannelSender {
  readonly channel = 'whatsapp';
  readonly capabilities: ChannelCapabilities = {
    maxLength: 1600,
    quickReplies: false,
    phiAllowed: false,
    messagingWindowHours: WHATSAPP_WINDOW_HOURS,
  };

  constructor(
    private readonly client: twilio.Twilio,
    private readonly settings: WhatsappSenderSettings,
  ) {}

  async send(message: GatedMessage): Promise<SendResult> {
    assertGated(message);
    if (!isWithinWindow(this.capabilities, message.lastInboundAt, this.settings.now())) {
      throw new SendError('window_closed', undefined, 'the WhatsApp 24 h window is closed: only a template may go');
    }
    return createMessage(this.client, {
      from: this.settings.from,
      to: withWhatsappPrefix(message.recipient),
      statusCallback: statusCallbackFor(this.settings.statusCallback, message),
      body: renderWithOptions(message.text, message.quickReplies, message.lang),
    });
  }

  /** The approved template (no Body), with the configured variables or a generic, PHI-free nudge. */
  async sendWindowNudge(message: GatedMessage): Promise<SendResult> {
    assertGated(message);
    if (!this.settings.templateSid) {
      throw new SendError(
        'window_closed',
        undefined,
        'the WhatsApp 24 h window is closed and no template is configured',
      );
    }
    const variables = this.settings.templateVariables ?? DEFAULT_WHATSAPP_NUDGE[message.lang];
    return createMessage(this.client, {
      from: this.settings.from,
      to: withWhatsappPrefix(message.recipient),
      // Without our outbound id: the template's callbacks must not settle the message it stands in for.
      statusCallback: this.settings.statusCallback,
      contentSid: this.settings.templateSid,
      contentVariables: JSON.stringify(variables),
    });
  }
}

/** The status callback URL of one message: it names our outbound id, so a callback can settle an interrupted send. */
function statusCallbackFor(base: string, message: Pick<OutboundToSend, 'outboundMessageId'>): string {
  return `${base}?${STATUS_CALLBACK_ID_PARAM}=${message.outboundMessageId}`;
}

export function withWhatsappPrefix(address: string): string {
  return address.startsWith(WHATSAPP_PREFIX) ? address : `${WHATSAPP_PREFIX}${address}`;
}

type CreateParams = Parameters<twilio.Twilio['messages']['create']>[0];

/** One `messages.create`, no retry; the SDK's error becomes a SendError. */
async function createMessage(client: twilio.Twilio, params: CreateParams): Promise<SendResult> {
  let created: { sid: string; status: string };
  try {
    created = await client.messages.create(params);
  } catch (error) {
    throw toSendError(error);
  }
  // Twilio's own "queued" or "accepted": the provider has it. (Our `queued` means not yet handed over.)
  return { status: created.status === 'sent' ? 'sent' : 'accepted', providerMessageId: created.sid };
}

/** Twilio error codes whose meaning is known; anything else is judged by its HTTP status. */
const KINDS_BY_CODE: Readonly<Record<number, SendErrorKind>> = {
  21610: 'opted_out',
  21211: 'invalid_recipient',
  21614: 'invalid_recipient',
  21617: 'too_long',
  63016: 'window_closed',
  20003: 'rejected',
};

/**
 * Twilio answered with an error (RestException, or TwilioServiceException for RFC 9457 bodies): its code decides,
 * else 429 and 5xx are transient and other statuses permanent. No answer at all (refused, reset, timed out) is
 * transient. Anything else is a bug of ours and is rethrown as is.
 */
export function toSendError(error: unknown): unknown {
  const answered = twilioErrorOf(error);
  if (answered) {
    const { status, code } = answered;
    const kind =
      (code !== undefined ? KINDS_BY_CODE[code] : undefined) ??
      (status === 429 || status >= 500 ? 'transient' : 'rejected');
    const codeText = code === undefined ? '' : ` with code ${code}`;
    return new SendError(
      kind,
      code === undefined ? undefined : String(code),
      `Twilio answered HTTP ${status}${codeText}`,
    );
  }
  const networkCode = networkErrorCodeOf(error);
  if (networkCode !== undefined) {
    // Refused or unresolved: the request never left. Reset or timed out: Twilio may have created the message.
    const maybeDelivered = !NEVER_SENT_NETWORK_CODES.has(networkCode);
    return new SendError('transient', undefined, `Twilio could not be reached (${networkCode})`, { maybeDelivered });
  }
  return error;
}

const NEVER_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function twilioErrorOf(error: unknown): { status: number; code?: number } | undefined {
  if (!(error instanceof twilio.RestException) && !(error instanceof TwilioServiceException)) return undefined;
  return { status: error.status, code: typeof error.code === 'number' ? error.code : undefined };
}

/** The SDK's HTTP layer (axios) fails without a response: connection refused or reset, timeout, DNS. */
function networkErrorCodeOf(error: unknown): string | undefined {
  const candidate = error as { isAxiosError?: unknown; code?: unknown } | null;
  if (candidate?.isAxiosError !== true) return undefined;
  return typeof candidate.code === 'string'
    ? candidate.code.replace(/[^A-Z0-9_]/g, '') || 'network error'
    : 'network error';
}
