/**
 * The browser side of the resumable web chat protocol, without any DOM: hello/welcome with the visitor token,
 * replay by `seq` after reconnects, exponential backoff with jitter, heartbeat, and an outbox of messages that are
 * resent with the same `clientMsgId` until the server acknowledges them (the server answers a duplicate without a
 * second bot turn). The socket, the token storage and the id generator are injected so this runs under test too.
 */
import {
  MAX_MESSAGE_LENGTH,
  parseServerFrame,
  type ChatErrorCode,
  type ChatLanguage,
  type ChatMessage,
  type ClientFrame,
  type ServerFrame,
} from './chat-protocol';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting';

export interface SocketListeners {
  open(): void;
  message(data: unknown): void;
  close(): void;
}

export interface SocketConnection {
  send(data: string): void;
  close(): void;
}

/** Opens a WebSocket to `url` and reports its events to `listeners`. */
export type OpenSocket = (url: string, listeners: SocketListeners) => SocketConnection;

export interface TokenStore {
  read(): string | null;
  write(token: string): void;
  clear(): void;
}

export interface ChatSocketOptions {
  readonly url: string;
  readonly lang: ChatLanguage;
  readonly openSocket: OpenSocket;
  readonly tokenStore: TokenStore;
  readonly createMessageId: () => string;
  readonly random?: () => number;
  /** A one-time code from the secure page: the first hello redeems it for a verified chat instead of the token. */
  readonly handoff?: string;
}

export interface ChatSocketHandlers {
  welcome(details: { conversationId: string; lang: ChatLanguage }): void;
  /** The server started a new conversation (e.g. the stored token expired): earlier messages will not come back. */
  conversationReset(): void;
  /** The secure page's code was redeemed (`true`) or refused, expired or used (`false`, the chat goes on unverified). */
  handoffResult(accepted: boolean): void;
  message(message: ChatMessage): void;
  ack(clientMsgId: string, seq: number): void;
  typing(on: boolean): void;
  connectionState(state: ConnectionState): void;
  /** A pending message hit a server error; `droppedClientMsgId` is set when it will not be retried. */
  sendProblem(code: ChatErrorCode, droppedClientMsgId: string | null): void;
}

export interface OutgoingMessage {
  readonly clientMsgId: string;
  readonly text: string;
  readonly payload?: string;
}

export const RECONNECT_BASE_DELAY_MS = 1_000;
export const RECONNECT_MAX_DELAY_MS = 30_000;
export const HEARTBEAT_INTERVAL_MS = 25_000;
export const HEARTBEAT_TIMEOUT_MS = 10_000;
export const TYPING_THROTTLE_MS = 3_000;
export const RESEND_DELAY_MS = 5_000;

type Timer = ReturnType<typeof setTimeout>;

/** One chat connection for the lifetime of the page; reconnects by itself until {@link ChatSocket.stop}. */
export class ChatSocket {
  private connection: SocketConnection | null = null;
  private generation = 0;
  private ready = false;
  private helloHadToken = false;
  private helloHadHandoff = false;
  private pendingHandoff: string | undefined;
  private everConnected = false;
  private stopped = false;
  private failedAttempts = 0;
  private highestSeq = 0;
  private conversationId: string | null = null;
  private lastTypingSentAt = Number.NEGATIVE_INFINITY;
  private readonly seenSeqs = new Set<number>();
  private readonly unacked = new Map<string, OutgoingMessage>();
  private reconnectTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private heartbeatDeadline: Timer | undefined;
  private resendTimer: Timer | undefined;

  constructor(
    private readonly options: ChatSocketOptions,
    private readonly handlers: ChatSocketHandlers,
  ) {
    this.pendingHandoff = options.handoff;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.resendTimer);
    this.dropConnection();
  }

  /** Reconnects at once instead of waiting for the backoff (e.g. when the browser comes back online). */
  reconnectNow(): void {
    if (this.stopped || this.connection) return;
    clearTimeout(this.reconnectTimer);
    this.connect();
  }

  /** Queues a patient message (trimmed); `null` when it is empty or too long. Sent now if connected, else later. */
  send(text: string, payload?: string): OutgoingMessage | null {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.length > MAX_MESSAGE_LENGTH) return null;
    const message: OutgoingMessage = {
      clientMsgId: this.options.createMessageId(),
      text: trimmed,
      ...(payload === undefined ? {} : { payload }),
    };
    this.unacked.set(message.clientMsgId, message);
    if (this.ready) this.transmit({ type: 'message', ...message });
    return message;
  }

  /** Tells the server the patient is typing, at most once per {@link TYPING_THROTTLE_MS}. */
  notifyTyping(now: number = Date.now()): void {
    if (!this.ready || now - this.lastTypingSentAt < TYPING_THROTTLE_MS) return;
    this.lastTypingSentAt = now;
    this.transmit({ type: 'typing', on: true });
  }

  private connect(): void {
    this.dropConnection();
    this.handlers.connectionState(this.everConnected || this.failedAttempts > 0 ? 'reconnecting' : 'connecting');
    const generation = this.generation;
    const isCurrent = (): boolean => generation === this.generation;
    try {
      this.connection = this.options.openSocket(this.options.url, {
        open: () => isCurrent() && this.sendHello(),
        message: (data) => isCurrent() && this.receive(data),
        close: () => isCurrent() && this.handleClose(),
      });
    } catch {
      this.handleClose();
    }
  }

  /** Forgets the current connection; events still arriving from it are ignored (generation check). */
  private dropConnection(): void {
    this.generation += 1;
    this.ready = false;
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.heartbeatDeadline);
    const connection = this.connection;
    this.connection = null;
    try {
      connection?.close();
    } catch {
      // Already closed or closing: nothing left to release.
    }
  }

  private handleClose(): void {
    this.dropConnection();
    if (this.stopped) return;
    this.handlers.connectionState('reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const random = this.options.random ?? Math.random;
    const exponential = RECONNECT_BASE_DELAY_MS * 2 ** Math.min(this.failedAttempts, 10);
    const delay = Math.min(RECONNECT_MAX_DELAY_MS, exponential * (0.75 + random() * 0.5));
    this.failedAttempts += 1;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private sendHello(): void {
    const handoff = this.pendingHandoff;
    const token = handoff === undefined ? this.options.tokenStore.read() : null;
    this.helloHadToken = token !== null;
    this.helloHadHandoff = handoff !== undefined;
    this.transmit({
      type: 'hello',
      ...(token === null ? {} : { token }),
      ...(handoff === undefined ? {} : { handoff }),
      lastSeq: this.highestSeq,
      lang: this.options.lang,
    });
    this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => {
      this.transmit({ type: 'ping' });
      this.heartbeatDeadline = setTimeout(() => this.handleClose(), HEARTBEAT_TIMEOUT_MS);
      this.scheduleHeartbeat();
    }, HEARTBEAT_INTERVAL_MS);
  }

  private transmit(frame: ClientFrame): void {
    try {
      this.connection?.send(JSON.stringify(frame));
    } catch {
      // The socket is closing; its close event schedules the reconnect and unacked messages are resent then.
    }
  }

  private receive(data: unknown): void {
    clearTimeout(this.heartbeatDeadline);
    const frame = parseServerFrame(data);
    if (frame) this.handleFrame(frame);
  }

  private handleFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        return this.handleWelcome(frame.token, frame.conversationId, frame.lang);
      case 'message':
        return this.handleMessage(frame);
      case 'ack':
        return this.handleAck(frame.clientMsgId, frame.seq);
      case 'typing':
        return this.handlers.typing(frame.on);
      case 'error':
        return this.handleError(frame.code);
      case 'pong':
        return;
    }
  }

  private handleWelcome(token: string, conversationId: string, lang: ChatLanguage): void {
    this.options.tokenStore.write(token);
    if (this.conversationId !== null && this.conversationId !== conversationId) {
      this.seenSeqs.clear();
      this.highestSeq = 0;
      this.handlers.conversationReset();
    }
    this.conversationId = conversationId;
    this.ready = true;
    this.everConnected = true;
    this.failedAttempts = 0;
    this.handlers.connectionState('online');
    this.handlers.welcome({ conversationId, lang });
    if (this.helloHadHandoff) this.settleHandoff(true);
    this.resendUnacked();
  }

  private handleMessage(message: ChatMessage): void {
    if (this.seenSeqs.has(message.seq)) return;
    this.rememberSeq(message.seq);
    if (message.clientMsgId !== undefined) this.unacked.delete(message.clientMsgId);
    this.handlers.message(message);
  }

  private handleAck(clientMsgId: string, seq: number): void {
    this.unacked.delete(clientMsgId);
    this.rememberSeq(seq);
    this.handlers.ack(clientMsgId, seq);
  }

  private rememberSeq(seq: number): void {
    this.seenSeqs.add(seq);
    this.highestSeq = Math.max(this.highestSeq, seq);
  }

  private handleError(code: ChatErrorCode): void {
    if (code === 'unauthorized') return this.restartWithoutToken();
    if (!this.ready) return this.handleClose();
    const oldest = this.unacked.values().next();
    if (oldest.done) return;
    if (code === 'malformed' || code === 'too_large') {
      // The server will never accept this message as it is: stop resending it.
      this.unacked.delete(oldest.value.clientMsgId);
      return this.handlers.sendProblem(code, oldest.value.clientMsgId);
    }
    this.handlers.sendProblem(code, null);
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => this.resendUnacked(), RESEND_DELAY_MS);
  }

  /** The code is used once, whatever the answer: later hellos (reconnects) carry the token. */
  private settleHandoff(accepted: boolean): void {
    this.pendingHandoff = undefined;
    this.helloHadHandoff = false;
    this.handlers.handoffResult(accepted);
  }

  /** The stored token (or the secure page's code) was refused: forget it and say hello again as a new visitor. */
  private restartWithoutToken(): void {
    if (this.helloHadHandoff) {
      this.settleHandoff(false);
      return this.connect();
    }
    const hadToken = this.helloHadToken;
    this.options.tokenStore.clear();
    this.seenSeqs.clear();
    this.highestSeq = 0;
    if (hadToken) this.connect();
    else this.handleClose();
  }

  private resendUnacked(): void {
    if (!this.ready) return;
    for (const message of this.unacked.values()) this.transmit({ type: 'message', ...message });
  }
}
