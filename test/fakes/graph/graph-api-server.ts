/**
 * A fake of the Graph Send API (`POST /vNN.0/me/messages`) as a real HTTP server on 127.0.0.1, for driving the
 * Messenger sender over real HTTP. It behaves like Graph where our code depends on it:
 * - the page token (Authorization header, or `access_token` in the query or body as Graph also accepts) must match,
 *   else error 190; a wrong `appsecret_proof` is error 100, and a missing one too when `requireAppsecretProof`;
 * - the messaging window per PSID from a "last user message at" that tests set: `RESPONSE`/`UPDATE` within 24 h,
 *   `MESSAGE_TAG` + `HUMAN_AGENT` within 7 days, otherwise error 10/2018278 with HTTP 400;
 * - unknown PSIDs get 100/2018001, PSIDs marked unavailable 551/1545041; payload limits give error 100;
 * - success is `{ recipient_id, message_id: 'm_…' }`, and every accepted message is recorded.
 * Tests can script the next answers (`500` twice, a dropped connection, silence…) before normal handling resumes.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const HOUR_MS = 60 * 60 * 1000;
const RESPONSE_WINDOW_MS = 24 * HOUR_MS;
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;
const SEND_PATH = /^\/v\d+\.\d+\/me\/messages$/;

export interface GraphApiServerOptions {
  readonly pageAccessToken: string;
  readonly appSecret: string;
  /** Like the app setting "Require App Secret": calls without `appsecret_proof` are refused. Default true. */
  readonly requireAppsecretProof?: boolean;
  /** The fake's clock, for the window (default: real time). */
  readonly now?: () => Date;
}

/** Every request as it arrived (after scripting), to check e.g. that no token travels in the URL. */
export interface RecordedGraphRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: string;
}

export interface SentMessengerMessage {
  readonly messageId: string;
  readonly recipientId: string;
  readonly messagingType: string;
  readonly tag?: string;
  readonly text: string;
  readonly quickReplies?: ReadonlyArray<{ content_type: string; title: string; payload: string }>;
  readonly sentAt: Date;
}

/** A scripted answer: an HTTP status with a JSON body, a connection dropped without an answer, or no answer at all. */
export type ScriptedGraphAnswer = { readonly status: number; readonly body?: unknown } | 'disconnect' | 'hang';

interface GraphFailure {
  readonly status: number;
  readonly code: number;
  readonly subcode?: number;
  readonly type: string;
  readonly message: string;
}

/** Graph error bodies for scripting, with the codes and HTTP statuses Graph uses. */
export const graphErrors = {
  body(code: number, message: string, options: { subcode?: number; type?: string } = {}) {
    return {
      error: {
        message,
        type: options.type ?? 'OAuthException',
        code,
        ...(options.subcode === undefined ? {} : { error_subcode: options.subcode }),
        fbtrace_id: crypto.randomBytes(8).toString('base64url'),
      },
    };
  },
  outsideWindow: (): ScriptedGraphAnswer => ({
    status: 400,
    body: graphErrors.body(10, OUTSIDE_WINDOW_MESSAGE, { subcode: 2018278 }),
  }),
  rateLimited: (code: 4 | 17 | 32 | 613): ScriptedGraphAnswer => ({
    status: 400,
    body: graphErrors.body(code, `(#${code}) Rate limit reached`),
  }),
  serverError: (): ScriptedGraphAnswer => ({
    status: 500,
    body: graphErrors.body(2, 'An unexpected error has occurred. Please retry your request later.', {
      type: 'OAuthException',
    }),
  }),
};

const OUTSIDE_WINDOW_MESSAGE = '(#10) This message is sent outside of allowed window.';

export class GraphApiServer {
  readonly requests: RecordedGraphRequest[] = [];
  readonly messages: SentMessengerMessage[] = [];
  private readonly lastUserMessageAt = new Map<string, Date>();
  private readonly unavailable = new Set<string>();
  private readonly script: ScriptedGraphAnswer[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly options: GraphApiServerOptions,
  ) {}

  static async start(options: GraphApiServerOptions): Promise<GraphApiServer> {
    const server = http.createServer();
    const fake = new GraphApiServer(server, options);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => fake.receive(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  /** `http://127.0.0.1:<port>`, the sender's `graphBaseUrl`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The user `psid` last wrote to the page at `at` (which opens the window); unknown PSIDs get 100/2018001. */
  setLastUserMessageAt(psid: string, at: Date): void {
    this.lastUserMessageAt.set(psid, at);
  }

  /** The user blocked the page or deleted their account: 551/1545041. */
  markUnavailable(psid: string): void {
    this.unavailable.add(psid);
  }

  /** The next requests get these answers, in order; afterwards the fake behaves normally again. */
  scriptAnswers(...answers: ScriptedGraphAnswer[]): void {
    this.script.push(...answers);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody });
      const scripted = this.script.shift();
      if (scripted === 'disconnect') {
        req.socket.destroy();
        return;
      }
      if (scripted === 'hang') return; // closed by stop()
      const answer = scripted ?? this.answer(req, rawBody);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  }

  private answer(req: http.IncomingMessage, rawBody: string): { status: number; body: unknown } {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST' || !SEND_PATH.test(url.pathname)) {
      return failure({ status: 400, code: 2500, type: 'OAuthException', message: 'Unknown path components' });
    }
    const body = parseJson(rawBody);
    if (body === undefined)
      return failure({ status: 400, code: 100, type: 'OAuthException', message: '(#100) Invalid JSON body' });
    const refusal = this.authenticate(req, url, body) ?? this.validate(body) ?? this.checkRecipient(body);
    if (refusal) return failure(refusal);
    return this.accept(body);
  }

  private authenticate(req: http.IncomingMessage, url: URL, body: Record<string, unknown>): GraphFailure | undefined {
    const header = /^(?:Bearer|OAuth) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = header ?? url.searchParams.get('access_token') ?? stringOrUndefined(body.access_token);
    if (token !== this.options.pageAccessToken) {
      return {
        status: 400,
        code: 190,
        type: 'OAuthException',
        message: 'Invalid OAuth access token - Cannot parse access token',
      };
    }
    const proof = url.searchParams.get('appsecret_proof') ?? stringOrUndefined(body.appsecret_proof);
    const expected = crypto.createHmac('sha256', this.options.appSecret).update(token).digest('hex');
    if (proof === undefined && (this.options.requireAppsecretProof ?? true)) {
      return {
        status: 400,
        code: 100,
        type: 'GraphMethodException',
        message: 'API calls from the server require an appsecret_proof argument',
      };
    }
    if (proof !== undefined && proof !== expected) {
      return {
        status: 400,
        code: 100,
        type: 'GraphMethodException',
        message: 'Invalid appsecret_proof provided in the API argument',
      };
    }
    return undefined;
  }

  private validate(body: Record<string, unknown>): GraphFailure | undefined {
    const invalid = (message: string): GraphFailure => ({
      status: 400,
      code: 100,
      type: 'OAuthException',
      message: `(#100) ${message}`,
    });
    const recipient = body.recipient as { id?: unknown } | undefined;
    if (typeof recipient?.id !== 'string') return invalid('The parameter recipient is required');
    if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(String(body.messaging_type)))
      return invalid('Param messaging_type is invalid');
    if (body.messaging_type === 'MESSAGE_TAG' && body.tag !== 'HUMAN_AGENT')
      return invalid('Param tag must be HUMAN_AGENT here');
    const message = body.message as { text?: unknown; quick_replies?: unknown } | undefined;
    if (typeof message?.text !== 'string' || message.text.length === 0)
      return invalid('The parameter message[text] is required');
    if ([...message.text].length > 2000)
      return invalid('Length of param message[text] must be less than or equal to 2000');
    return message.quick_replies === undefined ? undefined : validateQuickReplies(message.quick_replies, invalid);
  }

  private checkRecipient(body: Record<string, unknown>): GraphFailure | undefined {
    const psid = (body.recipient as { id: string }).id;
    if (this.unavailable.has(psid)) {
      return {
        status: 400,
        code: 551,
        subcode: 1545041,
        type: 'OAuthException',
        message: "This person isn't available right now.",
      };
    }
    const lastAt = this.lastUserMessageAt.get(psid);
    if (!lastAt)
      return {
        status: 400,
        code: 100,
        subcode: 2018001,
        type: 'OAuthException',
        message: '(#100) No matching user found',
      };
    const elapsed = this.now().getTime() - lastAt.getTime();
    const allowed =
      body.messaging_type === 'MESSAGE_TAG' ? elapsed < HUMAN_AGENT_WINDOW_MS : elapsed < RESPONSE_WINDOW_MS;
    if (!allowed)
      return { status: 400, code: 10, subcode: 2018278, type: 'OAuthException', message: OUTSIDE_WINDOW_MESSAGE };
    return undefined;
  }

  private accept(body: Record<string, unknown>): { status: number; body: unknown } {
    const recipientId = (body.recipient as { id: string }).id;
    const message = body.message as { text: string; quick_replies?: SentMessengerMessage['quickReplies'] };
    const messageId = `m_${crypto.randomBytes(24).toString('base64url')}`;
    this.messages.push({
      messageId,
      recipientId,
      messagingType: String(body.messaging_type),
      ...(typeof body.tag === 'string' ? { tag: body.tag } : {}),
      text: message.text,
      ...(message.quick_replies ? { quickReplies: message.quick_replies } : {}),
      sentAt: this.now(),
    });
    return { status: 200, body: { recipient_id: recipientId, message_id: messageId } };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

function validateQuickReplies(value: unknown, invalid: (message: string) => GraphFailure): GraphFailure | undefined {
  if (!Array.isArray(value) || value.length === 0)
    return invalid('Param message[quick_replies] must be a non-empty array');
  if (value.length > 13) return invalid('Param message[quick_replies] must have at most 13 elements');
  for (const reply of value as Array<Record<string, unknown>>) {
    if (reply.content_type !== 'text') return invalid('Param message[quick_replies][content_type] must be text');
    if (typeof reply.title !== 'string' || reply.title === '' || [...reply.title].length > 20) {
      return invalid('Param message[quick_replies][title] must be a non-empty string of at most 20 characters');
    }
    if (typeof reply.payload !== 'string' || reply.payload === '' || reply.payload.length > 1000) {
      return invalid('Param message[quick_replies][payload] must be a non-empty string of at most 1000 characters');
    }
  }
  return undefined;
}

function failure(problem: GraphFailure): { status: number; body: unknown } {
  return {
    status: problem.status,
    body: graphErrors.body(problem.code, problem.message, { subcode: problem.subcode, type: problem.type }),
  };
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
