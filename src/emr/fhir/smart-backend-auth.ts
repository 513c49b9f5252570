/**
 * SMART Backend Services authorization for the FHIR adapter: the client-credentials grant, authenticated with a JWT
 * the practice's registered key signs (RFC 7523 client assertion). EHRs rate-limit token requests and tokens live a
 * few minutes, so one token is cached and shared until shortly before it expires.
 *
 * jose is ESM-only and this package is CommonJS, so it is loaded with a dynamic import (types via resolution-mode).
 */
import crypto from 'node:crypto';
import type { CryptoKey, JWK } from 'jose' with { 'resolution-mode': 'import' };
import { z } from 'zod';
import { EmrRequestError, EmrUnavailableError } from '../emr-errors';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
const loadJose = (): Promise<Jose> => import('jose');

/** Read access to what scheduling needs, and appointment writes for booking. */
export const DEFAULT_SMART_SCOPE =
  'system/Patient.read system/Slot.read system/Schedule.read system/Practitioner.read system/Location.read ' +
  'system/Appointment.read system/Appointment.write';

const OPERATION = 'token';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART allows at most 5 minutes; a minute less leaves room for clock skew. */
const ASSERTION_LIFETIME_SECONDS = 240;
const DEFAULT_EXPIRES_IN_SECONDS = 300;
/** Refreshing this long before expiry keeps a request that starts just before it from failing mid-flight. */
const REFRESH_MARGIN_SECONDS = 60;
const DEFAULT_TIMEOUT_MS = 5000;
/** OAuth error codes are short ASCII words; anything else is not echoed into our messages. */
const OAUTH_ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

export type SmartSigningAlgorithm = 'RS384' | 'ES384';

export interface SmartBackendAuthOptions {
  /** The EHR's token endpoint (from its .well-known/smart-configuration); also the assertion's audience. */
  readonly tokenUrl: string;
  readonly clientId: string;
  /** A PEM PKCS#8 private key, or a private JWK as JSON (its `kid` goes into the assertion header). */
  readonly privateKey: string;
  /** Space-separated SMART scopes; DEFAULT_SMART_SCOPE when absent. */
  readonly scope?: string;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
  /** Per token request, answer body included (default 5000). */
  readonly timeoutMs?: number;
}

/** What the key text says about signing, decided without importing it so a wrong key fails at construction. */
type KeyDescription =
  | { readonly format: 'jwk'; readonly algorithm: SmartSigningAlgorithm; readonly jwk: JWK; readonly kid?: string }
  /** Re-encoded as PKCS#8, so PKCS#1 and SEC1 PEM files work too. */
  | { readonly format: 'pkcs8'; readonly algorithm: SmartSigningAlgorithm; readonly pem: string; readonly kid?: never };

interface CachedToken {
  readonly value: string;
  /** Epoch milliseconds after which a new token is requested. */
  readonly refreshAt: number;
}

const jwkSchema = z.looseObject({
  kty: z.string(),
  crv: z.string().optional(),
  d: z.string().optional(),
  kid: z.string().optional(),
  alg: z.string().optional(),
});

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional().catch(undefined),
});

const oauthErrorSchema = z.object({ error: z.string().regex(OAUTH_ERROR_CODE) });

/** Gets and caches SMART Backend Services access tokens for one client registration. */
export class SmartBackendAuth {
  private readonly key: KeyDescription;
  private readonly scope: string;
  private readonly now: () => Date;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private signingKey?: Promise<CryptoKey>;
  private cached?: CachedToken;
  private inFlight?: Promise<string>;

  /** @throws Error when the private key is unreadable or neither RSA nor EC P-384. */
  constructor(private readonly options: SmartBackendAuthOptions) {
    this.key = describePrivateKey(options.privateKey);
    this.scope = options.scope ?? DEFAULT_SMART_SCOPE;
    this.now = options.now ?? (() => new Date());
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * A valid access token: the cached one, or a new one shared by every caller waiting for it.
   * @throws EmrRequestError when the token endpoint refuses us; EmrUnavailableError when it cannot answer.
   */
  async accessToken(): Promise<string> {
    if (this.cached && this.now().getTime() < this.cached.refreshAt) return this.cached.value;
    this.inFlight ??= this.requestToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets the cached token, e.g. after the FHIR server answered 401 to it. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async requestToken(): Promise<string> {
    const requestedAt = this.now();
    const assertion = await this.signAssertion(requestedAt);
    const { status, body } = await this.postTokenRequest(assertion);
    if (status >= 500) throw new EmrUnavailableError(OPERATION, 'server-error');
    if (status < 200 || status >= 300) throw new EmrRequestError(OPERATION, oauthErrorCode(body) ?? `http-${status}`);
    const token = tokenResponseSchema.safeParse(body);
    if (!token.success) throw new EmrRequestError(OPERATION, 'no-access-token');
    const lifetimeSeconds = token.data.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS;
    const refreshAt = requestedAt.getTime() + (lifetimeSeconds - REFRESH_MARGIN_SECONDS) * 1000;
    this.cached = { value: token.data.access_token, refreshAt };
    return token.data.access_token;
  }

  private async signAssertion(issuedAt: Date): Promise<string> {
    const [{ SignJWT }, key] = await Promise.all([loadJose(), this.importSigningKey()]);
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const { algorithm, kid } = this.key;
    return new SignJWT({})
      .setProtectedHeader({ alg: algorithm, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
      .setIssuer(this.options.clientId)
      .setSubject(this.options.clientId)
      .setAudience(this.options.tokenUrl)
      .setJti(crypto.randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
      .sign(key);
  }

  /** Imported once; a key jose refuses (e.g. RSA under 2048 bits) fails every call the same way. */
  private importSigningKey(): Promise<CryptoKey> {
    this.signingKey ??= importKey(this.key);
    return this.signingKey;
  }

  /** The answer's status and JSON body (undefined when not JSON), read under one timeout. */
  private async postTokenRequest(assertion: string): Promise<{ status: number; body: unknown }> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.scope,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
    });
    try {
      const response = await this.fetch(this.options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        // A redirect would carry the assertion elsewhere; it is treated as a refusal instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, body: parseJson(await response.text()) };
    } catch (error) {
      // The cause is dropped: it can only say how the connection failed, which the reason already does.
      throw new EmrUnavailableError(OPERATION, isTimeout(error) ? 'timeout' : 'unreachable');
    }
  }
}

function describePrivateKey(text: string): KeyDescription {
  const trimmed = text.trim();
  return trimmed.startsWith('{') ? describeJwk(trimmed) : describePem(trimmed);
}

function describeJwk(text: string): KeyDescription {
  const parsed = jwkSchema.safeParse(parseJson(text));
  if (!parsed.success) throw new Error('SMART private key: not a valid JWK');
  const jwk = parsed.data;
  const algorithm = jwk.kty === 'RSA' ? 'RS384' : jwk.kty === 'EC' && jwk.crv === 'P-384' ? 'ES384' : undefined;
  if (!algorithm) throw new Error('SMART private key: only RSA (RS384) and EC P-384 (ES384) keys are supported');
  if (jwk.d === undefined) throw new Error('SMART private key: the JWK is a public key');
  if (jwk.alg !== undefined && jwk.alg !== algorithm) {
    throw new Error(`SMART private key: the JWK is for ${jwk.alg}; SMART needs ${algorithm} for this key`);
  }
  return { format: 'jwk', algorithm, jwk, kid: jwk.kid };
}

function describePem(text: string): KeyDescription {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(text);
  } catch {
    // Node's message may describe the key's bytes; ours says only what is wrong.
    throw new Error('SMART private key: neither a PEM private key nor a JSON JWK');
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const algorithm = type === 'rsa' ? 'RS384' : type === 'ec' && curve === 'secp384r1' ? 'ES384' : undefined;
  if (!algorithm) throw new Error('SMART private key: only RSA (RS384) and EC P-384 (ES384) keys are supported');
  return { format: 'pkcs8', algorithm, pem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

async function importKey(key: KeyDescription): Promise<CryptoKey> {
  const { importJWK, importPKCS8 } = await loadJose();
  if (key.format === 'pkcs8') return importPKCS8(key.pem, key.algorithm);
  const imported = await importJWK(key.jwk, key.algorithm);
  // Only a symmetric ('oct') JWK imports as bytes, and describeJwk never lets one through.
  if (imported instanceof Uint8Array) throw new Error('SMART private key: the JWK is not an asymmetric key');
  return imported;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function oauthErrorCode(body: unknown): string | undefined {
  const parsed = oauthErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
}

/** By name: fetch rejects with a DOMException, which is not an `Error` of every realm (a jest sandbox, say). */
function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && error.name === 'TimeoutError';
}
