/**
 * Binds the DOM-free {@link ChatSocket} to the browser: the WebSocket URL, the socket itself, the visitor token in
 * localStorage (with an in-memory fallback where third-party storage is blocked) and client message ids.
 */
import type { ChatLanguage } from './chat-protocol';
import type { OpenSocket, TokenStore } from './chat-socket';

const TOKEN_STORAGE_KEY = 'cc.visitorToken';

/** The chat socket lives on the frame's own origin; the token goes in the first frame, never in the URL. */
export function chatSocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/webchat`;
}

export function preferredLanguage(): ChatLanguage {
  return navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export const openBrowserSocket: OpenSocket = (url, listeners) => {
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => listeners.open());
  socket.addEventListener('message', (event) => listeners.message(event.data));
  socket.addEventListener('close', () => listeners.close());
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(1000),
  };
};

/** localStorage['cc.visitorToken'], or memory only when storage is unavailable (the chat then lasts one page). */
export function createVisitorTokenStore(): TokenStore {
  let memory: string | null = null;
  const storage = (): Storage | null => {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  };
  return {
    read() {
      try {
        return storage()?.getItem(TOKEN_STORAGE_KEY) ?? memory;
      } catch {
        return memory;
      }
    },
    write(token) {
      memory = token;
      try {
        storage()?.setItem(TOKEN_STORAGE_KEY, token);
      } catch {
        // Storage full or blocked: the in-memory copy still serves this page.
      }
    },
    clear() {
      memory = null;
      try {
        storage()?.removeItem(TOKEN_STORAGE_KEY);
      } catch {
        // Nothing stored to remove.
      }
    },
  };
}

/** A random UUID; `crypto.randomUUID` exists only in secure contexts, so build one from random bytes otherwise. */
export function createClientMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
