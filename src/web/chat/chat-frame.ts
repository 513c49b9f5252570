/**
 * Entry point of the chat frame served at /chat: wires the page's elements to the chat socket, the transcript,
 * the composer and the embedding page. Served as /chat.js under a strict CSP (no inline script or style).
 */
import { bindComposer } from './composer';
import { ChatSocket, type ConnectionState } from './chat-socket';
import type { ChatErrorCode, ChatLanguage, ChatMessage } from './chat-protocol';
import {
  chatSocketUrl,
  createClientMessageId,
  createVisitorTokenStore,
  openBrowserSocket,
  preferredLanguage,
} from './browser-adapters';
import { connectToParent, type ParentBridge } from './parent-bridge';
import { TranscriptView } from './transcript-view';

const TYPING_INDICATOR_TIMEOUT_MS = 20_000;

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: '',
  online: '',
  reconnecting: 'Reconnecting…',
};

const SEND_PROBLEM_TEXT: Record<ChatErrorCode, string> = {
  rate_limited: 'You are sending messages quickly. We will send yours in a moment.',
  not_ready: 'We are having trouble sending your message. We will keep trying.',
  internal: 'We are having trouble sending your message. We will keep trying.',
  unauthorized: 'We are having trouble sending your message. We will keep trying.',
  malformed: 'That message could not be sent. Please try again.',
  too_large: 'That message is too long. Please shorten it and try again.',
};

const HANDOFF_TEXT: Record<ChatLanguage, Record<'accepted' | 'refused', string>> = {
  en: {
    accepted: 'You are verified. You can ask about your appointments here for the next 30 minutes.',
    refused: 'That secure chat link has expired or was already used. Open the secure page again to get a new one.',
  },
  es: {
    accepted: 'Su identidad está verificada. Puede preguntar por sus citas aquí durante los próximos 30 minutos.',
    refused: 'Ese enlace al chat seguro venció o ya se usó. Abra de nuevo la página segura para obtener otro.',
  },
};

/**
 * The secure page's one-time code (`/chat?continue=<code>`), removed from the address at once so a reload, the
 * history or a bookmark never carries it.
 */
function takeHandoffCode(): string | undefined {
  const url = new URL(location.href);
  const code = url.searchParams.get('continue');
  if (code === null) return undefined;
  url.searchParams.delete('continue');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  return code;
}

function requireElement<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`chat frame: missing #${id}`);
  return element;
}

/** Counts bot and staff messages that arrive while the frame is not focused, so the launcher can show a badge. */
function trackUnread(parent: ParentBridge): () => void {
  let unread = 0;
  window.addEventListener('focus', () => {
    if (unread === 0) return;
    unread = 0;
    parent.post({ type: 'cc:unread', count: 0 });
  });
  return () => {
    if (document.hasFocus()) return;
    unread += 1;
    parent.post({ type: 'cc:unread', count: unread });
  };
}

function createTypingIndicator(element: HTMLElement): (on: boolean) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (on) => {
    clearTimeout(timer);
    element.textContent = on ? 'Assistant is typing…' : '';
    if (on) timer = setTimeout(() => (element.textContent = ''), TYPING_INDICATOR_TIMEOUT_MS);
  };
}

function startChatFrame(): void {
  const log = requireElement('cc-log', HTMLDivElement);
  const form = requireElement('cc-composer', HTMLFormElement);
  const input = requireElement('cc-input', HTMLTextAreaElement);
  const connection = requireElement('cc-connection', HTMLElement);
  const notice = requireElement('cc-notice', HTMLElement);
  const closeButton = requireElement('cc-close', HTMLButtonElement);
  const showTyping = createTypingIndicator(requireElement('cc-typing', HTMLElement));
  const parent = connectToParent();
  const countUnread = trackUnread(parent);

  const sendMessage = (text: string, payload?: string): boolean => {
    const message = socket.send(text, payload);
    if (message) view.addPending(message.clientMsgId, message.text);
    return message !== null;
  };
  const view = new TranscriptView(log, {
    onQuickReply: (reply) => {
      sendMessage(reply.title, reply.payload);
      input.focus();
    },
  });
  const receiveMessage = (message: ChatMessage): void => {
    if (!view.addMessage(message) || message.role === 'patient') return;
    showTyping(false);
    countUnread();
  };
  const handoff = takeHandoffCode();
  let language = preferredLanguage();
  const socket = new ChatSocket(
    {
      url: chatSocketUrl(),
      lang: language,
      openSocket: openBrowserSocket,
      tokenStore: createVisitorTokenStore(),
      createMessageId: createClientMessageId,
      ...(handoff === undefined ? {} : { handoff }),
    },
    {
      welcome: ({ lang }) => {
        language = lang;
        view.setLanguage(lang);
      },
      handoffResult: (accepted) => (notice.textContent = HANDOFF_TEXT[language][accepted ? 'accepted' : 'refused']),
      conversationReset: () => view.clearStored(),
      message: receiveMessage,
      ack: (clientMsgId, seq) => {
        view.confirm(clientMsgId, seq);
        notice.textContent = '';
      },
      typing: showTyping,
      connectionState: (state) => (connection.textContent = CONNECTION_TEXT[state]),
      sendProblem: (code, droppedClientMsgId) => {
        if (droppedClientMsgId !== null) view.markFailed(droppedClientMsgId);
        notice.textContent = SEND_PROBLEM_TEXT[code];
      },
    },
  );

  bindComposer(form, input, { submit: (text) => sendMessage(text), typing: () => socket.notifyTyping() });
  parent.onFocusRequest(() => input.focus());
  closeButton.hidden = !parent.connected;
  closeButton.addEventListener('click', () => parent.post({ type: 'cc:close' }));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.isComposing) parent.post({ type: 'cc:close' });
  });
  window.addEventListener('online', () => socket.reconnectNow());
  socket.start();
}

startChatFrame();
