/**
 * The web chat edge: `/webchat` WebSocket. Authenticate (signed visitor token in the first frame) → parse (zod) →
 * persist idempotently (clientMsgId is the provider message id) → enqueue → acknowledge. Replies reach the socket
 * through conversation events; a reconnect replays everything after the client's last seq. Bad frames get an error
 * frame and the socket stays usable; nothing here may throw out of a handler.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { VisitorTokens } from '../../src/channels/webchat/visitor-token';
import type { ConversationEvents } from '../../src/conversation/conversation-events';
import type { ConversationRepository, TranscriptEntry } from '../../src/conversation/conversation-repository';
import type { IngestService } from '../../src/conversation/ingest-service';
import type { Conversation, Database } from '../../src/db/schema';
import { AppError, normalizeDatabaseError } from '../../src/errors';
import type { Logger } from '../../src/observability/logger';
import type { Metrics } from '../../src/observability/metrics';
import type { Kysely } from 'kysely';
import { type ClientFrame, type ErrorCode, type ServerFrame, parseClientFrame } from './webchat-frames';
import { RateLimiter } from './rate-limiter';

export const WEBCHAT_PATH = '/webchat';
/** Hard cap enforced by ws itself (closes the socket); our own, friendlier limit is MAX_FRAME_BYTES. */
const HARD_FRAME_LIMIT = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export interface WebchatSocketDeps {
  readonly db: Kysely<Database>;
  readonly repository: ConversationRepository;
  readonly ingest: IngestService;
  readonly events: ConversationEvents;
  readonly tokens: VisitorTokens;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly practiceId: () => string;
  /** Origins allowed to open the socket besides the server's own host. */
  readonly allowedOrigins: readonly string[];
  /** Redeems a secure page's one-time code; without it, hello frames carrying one are refused. */
  readonly verifiedChats?: VerifiedChatStarter;
}

export interface VerifiedChatStarter {
  /** Seconds the verified chat's visitor token lasts. */
  readonly tokenLifetimeSeconds: number;
  /** The verified conversation of a new visitor, or undefined for an unknown, used or expired code. */
  start(practiceId: string, code: string, visitorId: string): Promise<Conversation | undefined>;
}

export class WebchatSocketServer {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT });
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly deps: WebchatSocketDeps) {
    this.server.on('error', (error) => deps.logger.warn({ err: error }, 'webchat server error'));
  }

  attach(httpServer: Server): void {
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== WEBCHAT_PATH) return;
      if (!this.originAllowed(request)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      this.server.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
    });
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const client of this.server.clients) client.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (!origin) return true; // non-browser clients (tests, benchmarks) send none; browsers always do
    try {
      const originUrl = new URL(origin);
      return originUrl.host === request.headers.host || this.deps.allowedOrigins.includes(originUrl.origin);
    } catch {
      return false;
    }
  }

  private readonly alive = new WeakSet<WebSocket>();

  private checkHeartbeats(): void {
    for (const client of this.server.clients) {
      if (!this.alive.has(client)) {
        client.terminate();
        continue;
      }
      this.alive.delete(client);
      client.ping();
    }
  }

  private onConnection(ws: WebSocket): void {
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    this.deps.metrics.webchatSockets.inc();
    const session = new WebchatSession(ws, this.deps);
    ws.on('message', (data: RawData, isBinary: boolean) => session.receive(data, isBinary));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      session.close();
      this.deps.metrics.webchatSockets.dec();
    });
  }
}

type OpenedChat = { token: string; visitorId: string; conversation: Conversation } | { refused: string };

/** One socket's state: which visitor and conversation it is, and the last seq it has been sent. */
class WebchatSession {
  private conversationId?: string;
  private visitorId?: string;
  private lastSentSeq = 0;
  private unsubscribe?: () => void;
  /** Frames are handled one after another so acks and replays keep their order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly limiter = new RateLimiter(20, 10_000);

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: WebchatSocketDeps,
  ) {}

  receive(data: RawData, isBinary: boolean): void {
    this.enqueue(() => this.handle(isBinary ? undefined : rawText(data)));
  }

  close(): void {
    this.unsubscribe?.();
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => this.fail(error));
  }

  private async handle(raw: string | undefined): Promise<void> {
    if (raw === undefined) return this.sendError('malformed', 'frames must be JSON text');
    const frame = parseClientFrame(raw);
    if (frame.type === 'error') return this.send(frame);
    await this.dispatch(frame);
  }

  private async dispatch(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'hello':
        return this.hello(frame);
      case 'message':
        return this.message(frame);
      case 'ping':
        return this.send({ type: 'pong' });
      case 'typing':
        return;
    }
  }

  private async hello(frame: Extract<ClientFrame, { type: 'hello' }>): Promise<void> {
    if (this.conversationId) return this.sendError('malformed', 'hello was already received');
    const opened = frame.handoff === undefined ? await this.openAsVisitor(frame) : await this.openVerified(frame.handoff);
    if ('refused' in opened) return this.sendError('unauthorized', opened.refused);
    const { token, visitorId, conversation } = opened;
    this.visitorId = visitorId;
    this.conversationId = conversation.id;
    this.lastSentSeq = frame.lastSeq;
    this.unsubscribe = this.deps.events.subscribe(conversation.id, (event) => {
      if (event.type === 'typing') this.send({ type: 'typing', on: event.on });
      else if (event.type === 'message' && event.seq > this.lastSentSeq) this.enqueue(() => this.pushNewMessages());
    });
    this.send({ type: 'welcome', token, conversationId: conversation.id, lang: conversation.language ?? frame.lang ?? 'en' });
    await this.pushNewMessages();
  }

  /** A returning visitor (valid token) or a new one. */
  private async openAsVisitor(frame: Extract<ClientFrame, { type: 'hello' }>): Promise<OpenedChat> {
    const known = frame.token ? this.deps.tokens.verify(frame.token) : undefined;
    if (frame.token && !known) return { refused: 'visitor token is invalid or expired' };
    const { token, visitorId } = known ? { token: frame.token!, visitorId: known } : this.deps.tokens.issue();
    const conversation = await this.deps.ingest.openConversation(this.deps.practiceId(), 'webchat', visitorId, frame.lang);
    return { token, visitorId, conversation };
  }

  /** A new visitor verified on the secure page, with a token that ends when a secure-page session would. */
  private async openVerified(code: string): Promise<OpenedChat> {
    const starter = this.deps.verifiedChats;
    const refused = { refused: 'this link to a verified chat has expired or was already used' };
    if (!starter) return refused;
    const { token, visitorId } = this.deps.tokens.issue(undefined, Date.now(), starter.tokenLifetimeSeconds);
    const conversation = await starter.start(this.deps.practiceId(), code, visitorId).catch((error: unknown) => {
      throw normalizeDatabaseError(error);
    });
    return conversation ? { token, visitorId, conversation } : refused;
  }

  private async message(frame: Extract<ClientFrame, { type: 'message' }>): Promise<void> {
    if (!this.conversationId || !this.visitorId) return this.sendError('unauthorized', 'send hello first');
    if (!this.limiter.tryTake()) return this.sendError('rate_limited', 'too many messages; wait a few seconds');
    const accepted = await this.deps.ingest.accept({
      conversationId: this.conversationId,
      channel: 'webchat',
      providerMessageId: `${this.visitorId}:${frame.clientMsgId}`,
      text: frame.text,
      payload: frame.payload,
    });
    this.send({ type: 'ack', clientMsgId: frame.clientMsgId, seq: accepted.seq, duplicate: accepted.duplicate });
    // The patient's own message is now in the transcript; count it as delivered to this socket.
    if (accepted.seq === this.lastSentSeq + 1) this.lastSentSeq = accepted.seq;
  }

  private async pushNewMessages(): Promise<void> {
    if (!this.conversationId) return;
    const entries = await this.deps.repository.transcriptSince(this.deps.db, this.conversationId, this.lastSentSeq);
    for (const entry of entries) {
      this.send(messageFrame(entry));
      this.lastSentSeq = Math.max(this.lastSentSeq, entry.seq);
    }
  }

  private fail(error: unknown): void {
    const unavailable = error instanceof AppError && error.status === 503;
    if (!unavailable) this.deps.logger.error({ err: error, conversationId: this.conversationId }, 'webchat frame failed');
    this.sendError(unavailable ? 'not_ready' : 'internal', unavailable ? 'temporarily unavailable; retry shortly' : 'something went wrong');
  }

  private sendError(code: ErrorCode, reason: string): void {
    this.send({ type: 'error', code, reason });
  }

  private send(frame: ServerFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }
}

function messageFrame(entry: TranscriptEntry): ServerFrame {
  const clientMsgId = entry.providerMessageId?.split(':')[1];
  return {
    type: 'message',
    seq: entry.seq,
    role: entry.role,
    text: entry.text,
    ...(entry.lang ? { lang: entry.lang } : {}),
    ...(entry.quickReplies.length > 0 ? { quickReplies: [...entry.quickReplies] } : {}),
    ...(clientMsgId ? { clientMsgId } : {}),
    sentAt: entry.at.toISOString(),
  };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
