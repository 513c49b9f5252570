/**
 * The web chat wire protocol (JSON text frames over the /webchat WebSocket), as the browser sees it.
 * Server frames are untrusted input: {@link parseServerFrame} checks their shape and drops anything else.
 */

export type ChatLanguage = 'en' | 'es';
export type ChatRole = 'patient' | 'bot' | 'staff';
export type ChatErrorCode = 'malformed' | 'too_large' | 'unauthorized' | 'rate_limited' | 'not_ready' | 'internal';

/** Longest message text the server accepts (characters, after trimming). */
export const MAX_MESSAGE_LENGTH = 1000;

export interface QuickReply {
  readonly title: string;
  readonly payload: string;
}

export interface ChatMessage {
  readonly seq: number;
  readonly role: ChatRole;
  readonly text: string;
  /** The language of a bot or staff message, when the server knows it. */
  readonly lang?: ChatLanguage;
  readonly quickReplies: readonly QuickReply[];
  readonly clientMsgId?: string;
  readonly sentAt: string;
}

export type ClientFrame =
  | { type: 'hello'; token?: string; handoff?: string; lastSeq: number; lang?: ChatLanguage }
  | { type: 'message'; clientMsgId: string; text: string; payload?: string }
  | { type: 'typing'; on: boolean }
  | { type: 'ping' };

export type ServerFrame =
  | { type: 'welcome'; token: string; conversationId: string; lang: ChatLanguage }
  | ({ type: 'message' } & ChatMessage)
  | { type: 'ack'; clientMsgId: string; seq: number; duplicate: boolean }
  | { type: 'typing'; on: boolean }
  | { type: 'pong' }
  | { type: 'error'; code: ChatErrorCode; reason: string };

type Fields = Record<string, unknown>;

const ROLES: readonly string[] = ['patient', 'bot', 'staff'];
const ERROR_CODES: readonly string[] = [
  'malformed',
  'too_large',
  'unauthorized',
  'rate_limited',
  'not_ready',
  'internal',
];

const isString = (value: unknown): value is string => typeof value === 'string';
const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

function parseQuickReplies(value: unknown): QuickReply[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is Fields => typeof item === 'object' && item !== null)
    .filter((item) => isString(item.title) && item.title.trim() !== '' && isString(item.payload))
    .map((item) => ({ title: String(item.title), payload: String(item.payload) }));
}

function parseMessage(fields: Fields): ServerFrame | null {
  const { seq, role, text, lang, clientMsgId, sentAt } = fields;
  if (!isSeq(seq) || !isString(role) || !ROLES.includes(role) || !isString(text)) return null;
  return {
    type: 'message',
    seq,
    role: role as ChatRole,
    text,
    ...(lang === 'es' || lang === 'en' ? { lang } : {}),
    quickReplies: parseQuickReplies(fields.quickReplies),
    ...(isString(clientMsgId) ? { clientMsgId } : {}),
    sentAt: isString(sentAt) ? sentAt : '',
  };
}

function parseFields(fields: Fields): ServerFrame | null {
  switch (fields.type) {
    case 'welcome': {
      const { token, conversationId, lang } = fields;
      if (!isString(token) || !isString(conversationId)) return null;
      return { type: 'welcome', token, conversationId, lang: lang === 'es' ? 'es' : 'en' };
    }
    case 'message':
      return parseMessage(fields);
    case 'ack': {
      const { clientMsgId, seq, duplicate } = fields;
      if (!isString(clientMsgId) || !isSeq(seq)) return null;
      return { type: 'ack', clientMsgId, seq, duplicate: duplicate === true };
    }
    case 'typing':
      return { type: 'typing', on: fields.on === true };
    case 'pong':
      return { type: 'pong' };
    case 'error': {
      const { code, reason } = fields;
      const known = isString(code) && ERROR_CODES.includes(code);
      return {
        type: 'error',
        code: known ? (code as ChatErrorCode) : 'internal',
        reason: isString(reason) ? reason : '',
      };
    }
    default:
      return null;
  }
}

/** Parses one text frame from the server; `null` for anything that is not a well-formed server frame. */
export function parseServerFrame(data: unknown): ServerFrame | null {
  if (!isString(data)) return null;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? parseFields(value as Fields) : null;
  } catch {
    return null;
  }
}
