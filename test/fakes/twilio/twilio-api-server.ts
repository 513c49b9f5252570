/**
 * A fake of Twilio's Programmable Messaging REST API, as a real HTTP server on 127.0.0.1, for driving the real
 * `twilio` SDK (pointed here with TWILIO_API_BASE_URL). It speaks the protocol the SDK does:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, Basic auth (account SID : auth token), answers
 * `201` with Twilio's message JSON, and errors in Twilio's shape `{ code, message, more_info, status }`:
 * 20003 (HTTP 401) for wrong credentials, 21211 invalid To, 21602 no body, 21617 body over 1600 characters.
 *
 * Tests can script what comes next ("500 twice, then accept"; "drop the connection"), make one recipient fail
 * with a code ("21610 for this number"), and read every request received. After accepting a message it can POST
 * signed status callbacks (sent → delivered by default) to the request's StatusCallback URL, the way Twilio does.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export const API_VERSION = '2010-04-01';
const MAX_BODY_CHARACTERS = 1600;
const E164 = /^\+[1-9][0-9]{1,14}$/;

export interface FakeTwilioOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** POST status callbacks after accepting a message (default false). */
  readonly statusCallbacks?: boolean;
}

/** What the next request gets instead of the normal behaviour. */
export type ScriptedResponse =
  | { readonly kind: 'error'; readonly httpStatus: number; readonly code: number; readonly message?: string }
  /** Close the connection without answering (a network error for the client). */
  | { readonly kind: 'drop' };

/** One status callback step; `errorCode` accompanies failed/undelivered. */
export interface CallbackStep {
  readonly status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';
  readonly errorCode?: number;
}

export interface ReceivedRequest {
  /** The form fields exactly as received (the first value of a repeated field). */
  readonly params: Readonly<Record<string, string>>;
  readonly accountSid: string;
  readonly httpStatus: number;
  /** The created message's SID when accepted. */
  readonly sid?: string;
  /** Twilio's error code when refused. */
  readonly errorCode?: number;
}

export interface DeliveredCallback {
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  /** The HTTP status our webhook answered, or 0 when the request failed. */
  readonly responseStatus: number;
}

interface TwilioError {
  readonly httpStatus: number;
  readonly code: number;
  readonly message: string;
}

const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  20003: 'Authenticate',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'An internal server error has occurred',
  21211: "Invalid 'To' Phone Number",
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
  21617: 'The concatenated message body exceeds the 1600 character limit.',
  63016:
    'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
};

export class FakeTwilioApi {
  /** Every Messages.json request, in arrival order, whatever its outcome. */
  readonly received: ReceivedRequest[] = [];
  /** Every status callback posted, in order. */
  readonly callbacks: DeliveredCallback[] = [];
  private readonly script: ScriptedResponse[] = [];
  private readonly recipientFailures = new Map<string, TwilioError>();
  private callbackSteps: readonly CallbackStep[] = [{ status: 'sent' }, { status: 'delivered' }];
  private callbacksEnabled: boolean;
  private readonly pendingCallbacks = new Set<Promise<void>>();
  private stopping = false;

  private constructor(
    private readonly server: http.Server,
    private readonly options: FakeTwilioOptions,
    readonly baseUrl: string,
  ) {
    this.callbacksEnabled = options.statusCallbacks ?? false;
  }

  static async start(options: FakeTwilioOptions): Promise<FakeTwilioApi> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeTwilioApi(server, options, `http://127.0.0.1:${port}`);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      fake.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    return fake;
  }

  /** Requests that created a message. */
  accepted(): ReceivedRequest[] {
    return this.received.filter((request) => request.sid !== undefined);
  }

  /** The next requests (after authentication) get these answers, in order, before normal behaviour resumes. */
  scriptNext(...responses: ScriptedResponse[]): void {
    this.script.push(...responses);
  }

  /** Every message to `to` (E.164 or whatsapp:+E.164) is refused with `code` until `clearRecipientFailures`. */
  failRecipient(to: string, code: number, httpStatus = 400): void {
    this.recipientFailures.set(to, twilioError(httpStatus, code));
  }

  clearRecipientFailures(): void {
    this.recipientFailures.clear();
  }

  enableStatusCallbacks(enabled: boolean, steps?: readonly CallbackStep[]): void {
    this.callbacksEnabled = enabled;
    if (steps) this.callbackSteps = steps;
  }

  /** Resolves once every status callback started so far has been answered (or failed). */
  async settle(): Promise<void> {
    while (this.pendingCallbacks.size > 0) await Promise.all([...this.pendingCallbacks]);
  }

  /** Stops accepting, waits for callbacks in flight, closes every connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.settle();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(
      new URL(req.url ?? '/', 'http://fake').pathname,
    );
    const raw = await readBody(req);
    if (!match || req.method !== 'POST') return sendError(res, twilioError(404, 20404));
    if (!this.authenticated(req, match[1]!)) return sendError(res, twilioError(401, 20003));
    const params = formParams(raw);
    const scripted = this.script.shift();
    if (scripted?.kind === 'drop') {
      this.received.push({ params, accountSid: match[1]!, httpStatus: 0 });
      req.socket.destroy();
      return;
    }
    const refusal = scripted
      ? twilioError(scripted.httpStatus, scripted.code, scripted.message)
      : this.validate(params);
    if (refusal) {
      this.received.push({ params, accountSid: match[1]!, httpStatus: refusal.httpStatus, errorCode: refusal.code });
      return sendError(res, refusal);
    }
    const message = messageResource(match[1]!, params);
    this.received.push({ params, accountSid: match[1]!, httpStatus: 201, sid: message.sid });
    sendJson(res, 201, message);
    if (this.callbacksEnabled && params.StatusCallback) this.startCallbacks(params, message.sid);
  }

  private authenticated(req: http.IncomingMessage, pathAccountSid: string): boolean {
    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    const given = req.headers.authorization ?? '';
    const sameLength = given.length === expected.length;
    const matches = sameLength && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    return matches && pathAccountSid === this.options.accountSid;
  }

  /** What real Twilio checks before creating a message (the subset our code can trigger). */
  private validate(params: Record<string, string>): TwilioError | undefined {
    const to = params.To;
    if (!to) return twilioError(400, 21604);
    if (!E164.test(to.replace(/^whatsapp:/, ''))) return twilioError(400, 21211, `${ERROR_MESSAGES[21211]}: ${to}`);
    if (!params.From && !params.MessagingServiceSid) return twilioError(400, 21603);
    if (!params.Body && !params.ContentSid && !params.MediaUrl) return twilioError(400, 21602);
    if ([...(params.Body ?? '')].length > MAX_BODY_CHARACTERS) return twilioError(400, 21617);
    const failure = this.recipientFailures.get(to);
    // Twilio's own messages quote the number; ours do too, so tests can prove it never reaches our errors or logs.
    return failure ? { ...failure, message: `${failure.message} (${to})` } : undefined;
  }

  private startCallbacks(params: Record<string, string>, sid: string): void {
    if (this.stopping) return;
    const pending = this.postCallbacks(params, sid).finally(() => this.pendingCallbacks.delete(pending));
    this.pendingCallbacks.add(pending);
  }

  private async postCallbacks(params: Record<string, string>, sid: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const step of this.callbackSteps) {
      if (this.stopping) return;
      await this.postCallback(params.StatusCallback!, callbackParams(this.options.accountSid, params, sid, step));
    }
  }

  private async postCallback(url: string, params: Record<string, string>): Promise<void> {
    const signature = twilio.getExpectedTwilioSignature(this.options.authToken, url, params);
    let responseStatus = 0;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'i-twilio-idempotency-token': crypto.randomUUID(),
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(5_000),
      });
      responseStatus = response.status;
      await response.arrayBuffer();
    } catch {
      responseStatus = 0;
    }
    this.callbacks.push({ url, params, responseStatus });
  }
}

function twilioError(httpStatus: number, code: number, message?: string): TwilioError {
  return { httpStatus, code, message: message ?? ERROR_MESSAGES[code] ?? 'Error' };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function formParams(raw: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) if (!(name in params)) params[name] = value;
  return params;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, error: TwilioError): void {
  sendJson(res, error.httpStatus, {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.httpStatus,
  });
}

/** Twilio's date format: "Thu, 24 Aug 2023 05:01:45 +0000". */
function twilioDate(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function messageResource(accountSid: string, params: Record<string, string>) {
  const sid = `SM${crypto.randomBytes(16).toString('hex')}`;
  const now = twilioDate(new Date());
  const body = params.Body ?? '';
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: params.From ?? null,
    messaging_service_sid: params.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(Math.max(1, Math.ceil([...body].length / 153))),
    price: null,
    price_unit: 'USD',
    sid,
    status: 'queued',
    subresource_uris: { media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: params.To,
    uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
  };
}

/** The fields of a real status callback (plus RawDlrDoneDate on SMS deliveries, a field our webhook does not know). */
function callbackParams(
  accountSid: string,
  request: Record<string, string>,
  sid: string,
  step: CallbackStep,
): Record<string, string> {
  const whatsapp = request.To?.startsWith('whatsapp:') ?? false;
  return {
    AccountSid: accountSid,
    ApiVersion: API_VERSION,
    From: request.From ?? '',
    To: request.To ?? '',
    MessageSid: sid,
    SmsSid: sid,
    MessageStatus: step.status,
    SmsStatus: step.status,
    ...(step.errorCode !== undefined ? { ErrorCode: String(step.errorCode) } : {}),
    ...(whatsapp ? { ChannelPrefix: 'whatsapp', ChannelToAddress: request.To!.slice('whatsapp:'.length) } : {}),
    ...(!whatsapp && step.status === 'delivered' ? { RawDlrDoneDate: '2601011200' } : {}),
  };
}
