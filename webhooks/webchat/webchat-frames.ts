/** The web chat protocol's frames (see src/web/README.md), validated with zod. */
import { z } from 'zod';

export const MAX_TEXT_LENGTH = 1000;
/** Frames above this are answered with a `too_large` error; the socket stays open. */
export const MAX_FRAME_BYTES = 8 * 1024;

const language = z.enum(['en', 'es']);

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    token: z.string().max(200).optional(),
    /** A one-time code from the secure page (`/chat?continue=`): start a verified chat instead. */
    handoff: z.string().max(100).optional(),
    lastSeq: z.number().int().min(0).default(0),
    lang: language.optional(),
  }),
  z.object({
    type: z.literal('message'),
    clientMsgId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _'),
    text: z.string().trim().min(1, 'must not be empty').max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
    payload: z.string().max(100).optional(),
  }),
  z.object({ type: z.literal('typing'), on: z.boolean() }),
  z.object({ type: z.literal('ping') }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ErrorCode = 'malformed' | 'too_large' | 'unauthorized' | 'rate_limited' | 'not_ready' | 'internal';

export type ServerFrame =
  | { type: 'welcome'; token: string; conversationId: string; lang: 'en' | 'es' }
  | {
      type: 'message';
      seq: number;
      role: 'patient' | 'bot' | 'staff';
      text: string;
      lang?: 'en' | 'es';
      quickReplies?: Array<{ title: string; payload: string }>;
      clientMsgId?: string;
      sentAt: string;
    }
  | { type: 'ack'; clientMsgId: string; seq: number; duplicate: boolean }
  | { type: 'typing'; on: boolean }
  | { type: 'pong' }
  | { type: 'error'; code: ErrorCode; reason: string };

/** Parses a raw frame; returns the frame or an error frame with a reason (never the input itself). */
export function parseClientFrame(raw: string): ClientFrame | Extract<ServerFrame, { type: 'error' }> {
  if (Buffer.byteLength(raw) > MAX_FRAME_BYTES) return { type: 'error', code: 'too_large', reason: `frames are limited to ${MAX_FRAME_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { type: 'error', code: 'malformed', reason: 'frame is not valid JSON' };
  }
  const parsed = clientFrameSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { type: 'error', code: 'malformed', reason: `${issue?.path.join('.') || 'frame'}: ${issue?.message ?? 'invalid'}` };
}
