/**
 * The postMessage vocabulary between the embed loader (host page) and the chat frame (our origin).
 * Messages carry no patient data: only UI signals and an unread count.
 */

/** Frame → host: close the panel. Host → frame: focus the message box. Frame → host: unread bot messages. */
export type EmbedMessage = { type: 'cc:close' } | { type: 'cc:focus' } | { type: 'cc:unread'; count: number };

/** Narrows an untrusted `MessageEvent.data` to an {@link EmbedMessage}; anything else is ignored by callers. */
export function parseEmbedMessage(data: unknown): EmbedMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, count } = data as { type?: unknown; count?: unknown };
  if (type === 'cc:close' || type === 'cc:focus') return { type };
  if (type === 'cc:unread' && typeof count === 'number' && Number.isInteger(count) && count >= 0) {
    return { type, count: Math.min(count, 99) };
  }
  return null;
}
