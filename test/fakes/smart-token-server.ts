/**
 * A fake SMART Backend Services token endpoint (OAuth client credentials with an RFC 7523 JWT client assertion), as a
 * real HTTP server on 127.0.0.1. It checks each assertion the way an EHR must, with jose rather than by hand: the
 * signature under the client's registered public key (RS384 or ES384 only), iss = sub = client id, aud = its own
 * token URL, at most 5 minutes of life, and a jti never seen before.
 *
 * Refusals are OAuth JSON `{ error, error_description }`: 400 invalid_request or unsupported_grant_type for a
 * malformed request, 401 invalid_client when the client is unknown or the signature does not verify, 400
 * invalid_client for any other bad assertion (expired, too long-lived, wrong audience, replayed jti).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JWK, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
const loadJose = (): Promise<Jose> => import('jose');

export const TOKEN_PATH = '/oauth2/token';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const DEFAULT_EXPIRES_IN_SECONDS = 300;

/** A client's registered public key: a JWK as an EHR's registration page takes it, or an imported key. */
export type ClientPublicKey = JWK | CryptoKey | crypto.KeyObject;

export interface SmartTokenServerOptions {
  /** Public keys by client id. */
  readonly clients: Readonly<Record<string, ClientPublicKey>>;
  /** The issued tokens' `expires_in` (default 300). */
  readonly expiresInSeconds?: number;
  /** The server's clock, for assertion and token expiry (default: the real one). */
  readonly now?: () => Date;
}

export interface ReceivedTokenRequest {
  readonly grantType?: string;
  /** The assertion's issuer as claimed (verified only when `status` is 200). */
  readonly clientId?: string;
  readonly scope?: string;
  readonly status: number;
  /** The OAuth error code when refused. */
  readonly error?: string;
}

/** An answer given instead of the normal behaviour; `body` is sent as JSON when present. */
export interface ScriptedTokenResponse {
  readonly status: number;
  readonly body?: unknown;
}

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

interface Outcome {
  readonly status: number;
  /** Sent as JSON when present. */
  readonly body?: unknown;
  readonly clientId?: string;
}

export class SmartTokenServer {
  /** Every token request, in arrival order, whatever its outcome. */
  readonly requests: ReceivedTokenRequest[] = [];
  /** Issued token → expiry, epoch milliseconds by the server's clock. */
  private readonly tokens = new Map<string, number>();
  private readonly seenJtis = new Set<string>();
  private readonly script: ScriptedTokenResponse[] = [];
  private readonly now: () => Date;

  private constructor(
    private readonly server: http.Server,
    private readonly options: SmartTokenServerOptions,
    /** The token endpoint URL, also the audience assertions must name. */
    readonly url: string,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  static async start(options: SmartTokenServerOptions): Promise<SmartTokenServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new SmartTokenServer(server, options, `http://127.0.0.1:${port}${TOKEN_PATH}`);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      fake.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    return fake;
  }

  /** How many access tokens were issued. */
  get issuedTokens(): number {
    return this.tokens.size;
  }

  /** True for a token this server issued that has not expired by its clock. */
  isValidToken(token: string): boolean {
    const expiresAt = this.tokens.get(token);
    return expiresAt !== undefined && this.now().getTime() < expiresAt;
  }

  /** The next token requests get these answers, in order, before normal behaviour resumes. */
  answerNextWith(...responses: ScriptedTokenResponse[]): void {
    this.script.push(...responses);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://fake').pathname !== TOKEN_PATH) {
      res.writeHead(404).end();
      return;
    }
    const form = new URLSearchParams(raw);
    const scripted = this.script.shift();
    const outcome: Outcome = scripted ?? (await this.exchange(req.headers['content-type'], form));
    this.requests.push({
      grantType: form.get('grant_type') ?? undefined,
      clientId: outcome.clientId,
      scope: form.get('scope') ?? undefined,
      status: outcome.status,
      error: oauthErrorOf(outcome.body),
    });
    sendJson(res, outcome.status, outcome.body);
  }

  private async exchange(contentType: string | undefined, form: URLSearchParams): Promise<Outcome> {
    if (contentType?.split(';')[0]?.trim() !== 'application/x-www-form-urlencoded') {
      return refusal(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const grantType = form.get('grant_type');
    if (grantType === null) return refusal(400, 'invalid_request', 'grant_type is missing');
    if (grantType !== 'client_credentials') return refusal(400, 'unsupported_grant_type', 'only client_credentials');
    const assertion = form.get('client_assertion');
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE || assertion === null) {
      return refusal(400, 'invalid_request', 'a jwt-bearer client_assertion is required');
    }
    const clientId = await claimedIssuer(assertion);
    if (clientId === undefined) return refusal(400, 'invalid_request', 'client_assertion is not a JWT with an issuer');
    const outcome = await this.authenticate(clientId, assertion, form.get('client_id'));
    return { ...(outcome ?? this.issueToken(form.get('scope') ?? '')), clientId };
  }

  /** Undefined when the assertion proves the client; otherwise the refusal. */
  private async authenticate(
    clientId: string,
    assertion: string,
    formClientId: string | null,
  ): Promise<Outcome | undefined> {
    if (formClientId !== null && formClientId !== clientId) {
      return refusal(400, 'invalid_client', 'client_id does not match the assertion issuer');
    }
    const key = Object.hasOwn(this.options.clients, clientId) ? this.options.clients[clientId] : undefined;
    if (key === undefined) return refusal(401, 'invalid_client', 'unknown client');
    const { payload: verified, refused } = await this.verify(assertion, clientId, key);
    if (refused) return refused;
    const lifetimeProblem = this.lifetimeProblem(verified);
    if (lifetimeProblem) return refusal(400, 'invalid_client', lifetimeProblem);
    // Checked only after the signature, so nobody can burn a client's jti with a forged assertion.
    if (this.seenJtis.has(verified.jti!)) return refusal(400, 'invalid_client', 'jti was already used');
    this.seenJtis.add(verified.jti!);
    return undefined;
  }

  private async verify(
    assertion: string,
    clientId: string,
    key: ClientPublicKey,
  ): Promise<{ payload: JWTPayload; refused?: never } | { payload?: never; refused: Outcome }> {
    const { jwtVerify, errors } = await loadJose();
    try {
      const { payload } = await jwtVerify(assertion, key, {
        algorithms: ['RS384', 'ES384'],
        issuer: clientId,
        subject: clientId,
        audience: this.url,
        currentDate: this.now(),
        requiredClaims: ['exp', 'jti'],
      });
      return { payload };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) {
        return { refused: refusal(401, 'invalid_client', 'the signature does not verify') };
      }
      const code = error instanceof errors.JOSEError ? error.code : 'unusable';
      return { refused: refusal(400, 'invalid_client', `the assertion was refused (${code})`) };
    }
  }

  /** SMART: exp no more than five minutes in the future, measured from now and from iat. */
  private lifetimeProblem(payload: JWTPayload): string | undefined {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const exp = payload.exp!;
    if (exp - nowSeconds > MAX_ASSERTION_LIFETIME_SECONDS) return 'exp is more than 5 minutes away';
    if (payload.iat !== undefined && exp - payload.iat > MAX_ASSERTION_LIFETIME_SECONDS) {
      return 'exp is more than 5 minutes after iat';
    }
    return undefined;
  }

  private issueToken(scope: string): Outcome {
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresIn = this.options.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS;
    this.tokens.set(token, this.now().getTime() + expiresIn * 1000);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope } };
  }
}

/** Starts a fake token endpoint; its `url` is what the client under test uses as `tokenUrl`. */
export function startSmartTokenServer(options: SmartTokenServerOptions): Promise<SmartTokenServer> {
  return SmartTokenServer.start(options);
}

async function claimedIssuer(assertion: string): Promise<string | undefined> {
  const { decodeJwt } = await loadJose();
  try {
    const { iss } = decodeJwt(assertion);
    return iss;
  } catch {
    return undefined;
  }
}

function oauthErrorOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  return typeof body.error === 'string' ? body.error : undefined;
}

function refusal(status: number, error: OAuthErrorCode, description: string): Outcome {
  return { status, body: { error, error_description: description } };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
