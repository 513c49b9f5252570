/**
 * Messenger webhook bodies: `{ object: "page", entry: [{ messaging: [...] } | { standby: [...] }] }`, where both
 * arrays may batch several events. Parsing (zod) only checks what we use, so new fields Meta adds do not break the
 * edge; normalising turns every event into one of a few kinds and orders each sender's events by `timestamp`.
 */
import crypto from 'node:crypto';
import { z } from 'zod';

/** What a patient's message becomes when it carries attachments and no text. */
export const ATTACHMENT_PLACEHOLDER = '[attachment]';
/** A message with neither text nor attachments (a kind Messenger added later). */
export const UNSUPPORTED_PLACEHOLDER = '[unsupported message]';

const MAX_ID_LENGTH = 512;
const id = z.string().min(1).max(MAX_ID_LENGTH);
const party = z.object({ id });

const messageSchema = z.object({
  mid: id,
  text: z.string().optional(),
  is_echo: z.boolean().optional(),
  quick_reply: z.object({ payload: z.string() }).optional(),
  attachments: z.array(z.unknown()).optional(),
});

const postbackSchema = z.object({
  mid: id.optional(),
  title: z.string().optional(),
  payload: z.string(),
});

const eventSchema = z
  .object({
    sender: party.optional(),
    recipient: party.optional(),
    timestamp: z.number().optional(),
    message: messageSchema.optional(),
    postback: postbackSchema.optional(),
    delivery: z.object({ mids: z.array(id).optional(), watermark: z.number() }).optional(),
    read: z.object({ watermark: z.number() }).optional(),
  })
  .refine((event) => event.sender !== undefined || (event.message === undefined && event.postback === undefined), {
    message: 'is required for messages and postbacks',
    path: ['sender'],
  });

const entrySchema = z.object({
  id: z.string().optional(),
  time: z.number().optional(),
  messaging: z.array(eventSchema).optional(),
  standby: z.array(eventSchema).optional(),
});

const pageBatchSchema = z.object({ object: z.literal('page'), entry: z.array(entrySchema) });
const envelopeSchema = z.object({ object: z.string() });

export type MessengerBatch = z.infer<typeof pageBatchSchema>;
type RawEvent = z.infer<typeof eventSchema>;

export type ParsedBody =
  | { readonly kind: 'page'; readonly batch: MessengerBatch }
  | { readonly kind: 'other_object' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Parses the raw body; a malformed one gets a reason naming the field, never quoting a value. */
export function parseMessengerBody(rawBody: Buffer): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: 'body is not valid JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: 'malformed', reason: reasonOf(envelope.error) };
  if (envelope.data.object !== 'page') return { kind: 'other_object' };
  const batch = pageBatchSchema.safeParse(json);
  return batch.success ? { kind: 'page', batch: batch.data } : { kind: 'malformed', reason: reasonOf(batch.error) };
}

function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  return `${field}: ${issue?.message ?? 'is invalid'}`;
}

/** One event, normalised. Only `inbound` events from `messaging` may reach the bot; `standby` ones are only recorded. */
export type MessengerEvent =
  | {
      readonly kind: 'inbound';
      readonly address: string;
      readonly providerMessageId: string;
      readonly text: string;
      readonly payload?: string;
      readonly source: 'messaging' | 'standby';
    }
  | { readonly kind: 'echo' }
  | { readonly kind: 'delivery'; readonly mids: readonly string[] }
  | { readonly kind: 'read'; readonly watermark: number }
  | { readonly kind: 'ignored' };

/**
 * Every event of every entry, `messaging` and `standby` alike, grouped by sender and ordered by `timestamp` within
 * a sender (ties keep the order they arrived in). Senders are independent of each other.
 */
export function collectMessengerEvents(batch: MessengerBatch): MessengerEvent[][] {
  const bySender = new Map<string, Array<{ at: number; event: MessengerEvent }>>();
  for (const entry of batch.entry) {
    for (const source of ['messaging', 'standby'] as const) {
      for (const raw of entry[source] ?? []) {
        const key = raw.sender?.id ?? '';
        const events = bySender.get(key) ?? [];
        events.push({ at: raw.timestamp ?? entry.time ?? 0, event: normaliseEvent(raw, source) });
        bySender.set(key, events);
      }
    }
  }
  return [...bySender.values()].map((events) => events.sort((a, b) => a.at - b.at).map(({ event }) => event));
}

function normaliseEvent(raw: RawEvent, source: 'messaging' | 'standby'): MessengerEvent {
  if (raw.message) {
    if (raw.message.is_echo) return { kind: 'echo' };
    return {
      kind: 'inbound',
      address: raw.sender!.id,
      providerMessageId: raw.message.mid,
      text: textOfMessage(raw.message),
      ...(raw.message.quick_reply ? { payload: raw.message.quick_reply.payload } : {}),
      source,
    };
  }
  if (raw.postback) {
    return {
      kind: 'inbound',
      address: raw.sender!.id,
      providerMessageId: raw.postback.mid ?? syntheticPostbackId(raw),
      text: raw.postback.title || raw.postback.payload,
      payload: raw.postback.payload,
      source,
    };
  }
  if (raw.delivery) return { kind: 'delivery', mids: raw.delivery.mids ?? [] };
  if (raw.read) return { kind: 'read', watermark: raw.read.watermark };
  return { kind: 'ignored' };
}

function textOfMessage(message: z.infer<typeof messageSchema>): string {
  if (message.text !== undefined && message.text !== '') return message.text;
  return (message.attachments?.length ?? 0) > 0 ? ATTACHMENT_PLACEHOLDER : UNSUPPORTED_PLACEHOLDER;
}

/**
 * Older API versions send postbacks without a `mid`. A redelivery repeats sender, timestamp and payload, so their
 * hash is a stable dedupe key; hashed because a PSID does not belong in a plain column.
 */
function syntheticPostbackId(raw: RawEvent): string {
  const digest = crypto
    .createHash('sha256')
    .update(JSON.stringify([raw.sender?.id, raw.timestamp, raw.postback?.payload]))
    .digest('hex');
  return `postback-${digest.slice(0, 40)}`;
}
