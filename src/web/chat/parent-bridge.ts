/**
 * The chat frame's side of the embed postMessage channel. The host page's origin comes from `document.referrer`
 * (the loader sends it with `referrerpolicy="origin"`); without it the frame neither posts nor listens.
 * Only UI signals cross: close, focus and an unread count — never message text.
 */
import { parseEmbedMessage, type EmbedMessage } from '../widget/embed-messages';

export interface ParentBridge {
  /** True when the frame is embedded by the loader and can talk to the host page. */
  readonly connected: boolean;
  post(message: EmbedMessage): void;
  onFocusRequest(handler: () => void): void;
}

function findParentOrigin(): string | null {
  if (window.parent === window || document.referrer === '') return null;
  try {
    const origin = new URL(document.referrer).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** Connects to the embedding page, if any. */
export function connectToParent(): ParentBridge {
  const parentOrigin = findParentOrigin();
  const focusHandlers: Array<() => void> = [];
  if (parentOrigin !== null) {
    window.addEventListener('message', (event) => {
      if (event.source !== window.parent || event.origin !== parentOrigin) return;
      if (parseEmbedMessage(event.data)?.type === 'cc:focus') focusHandlers.forEach((handler) => handler());
    });
  }
  return {
    connected: parentOrigin !== null,
    post(message) {
      if (parentOrigin !== null) window.parent.postMessage(message, parentOrigin);
    },
    onFocusRequest(handler) {
      focusHandlers.push(handler);
    },
  };
}
