/**
 * The form fields of Twilio's messaging and status webhooks, validated with zod. Only what we use is checked; Twilio
 * adds fields without notice, so unknown ones pass (they are still covered by the signature). Reasons name the
 * field, never its value.
 */
import { z } from 'zod';
import { WHATSAPP_PREFIX } from '../../src/channels/twilio/twilio-sender';

/** A single form value; a repeated field arrives as an array and is refused. */
const formText = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a single text value') });

const E164 = /^\+[1-9][0-9]{1,14}$/;

/** `SM…` (SMS, WhatsApp) or `MM…` (MMS) followed by 32 hex digits. */
const messageSid = z
  .string({ error: 'is required' })
  .regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be SM or MM followed by 32 hexadecimal digits');

/** `+E.164` or `whatsapp:+E.164`. */
const address = z
  .string({ error: 'is required' })
  .refine((value) => E164.test(value.startsWith(WHATSAPP_PREFIX) ? value.slice(WHATSAPP_PREFIX.length) : value), {
    error: 'must be an E.164 phone number, optionally prefixed whatsapp:',
  });

const optionalText = (max: number) => formText().max(max, `must be at most ${max} characters`).optional();

export const inboundMessageSchema = z
  .object({
    MessageSid: messageSid,
    From: address,
    To: address,
    /** ≤ 1600; empty when the message is only media, a location or a button. */
    Body: formText().max(1600, 'must be at most 1600 characters').default(''),
    NumMedia: formText()
      .regex(/^[0-9]{1,2}$/, 'must be a small whole number')
      .optional(),
    /** STOP / START / HELP when Advanced Opt-Out handled (and answered) a keyword. */
    OptOutType: z
      .string({ error: 'must be text' })
      .regex(/^[A-Za-z]{1,20}$/, 'must be a keyword type such as STOP, START or HELP')
      .transform((value) => value.toUpperCase())
      .optional(),
    // WhatsApp extras (ProfileName is untrusted and unused).
    ButtonPayload: optionalText(1024),
    ButtonText: optionalText(1024),
    ProfileName: optionalText(256),
    WaId: optionalText(32),
    MessageType: optionalText(32),
    OriginalRepliedMessageSid: optionalText(64),
  })
  .refine((fields) => fields.From.startsWith(WHATSAPP_PREFIX) === fields.To.startsWith(WHATSAPP_PREFIX), {
    error: 'must be on the same channel as From (both prefixed whatsapp: or neither)',
    path: ['To'],
  });

export type InboundMessageFields = z.infer<typeof inboundMessageSchema>;

/** Statuses an outbound message reaches after it was created (the sink's vocabulary). */
export const TRACKED_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'undelivered',
  'canceled',
] as const;
export type TrackedStatus = (typeof TRACKED_STATUSES)[number];

export const statusCallbackSchema = z.object({
  MessageSid: messageSid,
  /** Any lower-case Twilio status; those outside TRACKED_STATUSES (accepted, scheduled, receiving…) are acknowledged and ignored. */
  MessageStatus: formText().regex(/^[a-z_]{1,32}$/, 'must be a Twilio message status'),
  ErrorCode: z
    .string({ error: 'must be text' })
    .regex(/^[0-9]{0,10}$/, 'must be a numeric Twilio error code')
    .transform((value) => (value === '' ? undefined : value))
    .optional(),
  From: optionalText(64),
  To: optionalText(64),
  ChannelPrefix: optionalText(32),
});

export type StatusCallbackFields = z.infer<typeof statusCallbackSchema>;

export function isTrackedStatus(status: string): status is TrackedStatus {
  return (TRACKED_STATUSES as readonly string[]).includes(status);
}

export function isWhatsappAddress(value: string | undefined): boolean {
  return value?.startsWith(WHATSAPP_PREFIX) ?? false;
}

/** The first problem of a failed parse, as `Field: reason` (never the value). */
export function describeProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'request fields are invalid';
  const field = issue.path.map(String).join('.') || 'request';
  return `${field}: ${issue.message}`;
}
