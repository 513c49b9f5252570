/**
 * SMART Backend Services authentication against the fake token endpoint, a real loopback server that verifies each
 * assertion's signature with jose: both key kinds and formats, the shared cache and its refresh on the injected clock,
 * how every failure maps to an EMR error, and the fake's own checks (replay, lifetime, audience).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JWK } from 'jose' with { 'resolution-mode': 'import' };
import { EmrRequestError, EmrUnavailableError } from '../../../src/emr/emr-errors';
import {
  DEFAULT_SMART_SCOPE,
  SmartBackendAuth,
  type SmartBackendAuthOptions,
} from '../../../src/emr/fhir/smart-backend-auth';
import {
  type SmartTokenServer,
  type SmartTokenServerOptions,
  startSmartTokenServer,
} from '../../fakes/smart-token-server';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

const RSA_CLIENT = 'concierge-rsa';
const EC_CLIENT = 'concierge-ec';
const EC_KEY_ID = 'concierge-ec-2026';
const START = new Date('2026-03-02T15:00:00Z');
const SECOND = 1000;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let jose: Jose;
let rsaPrivatePem: string;
let rsaPublicJwk: JWK;
let ecPrivateJwkJson: string;
let ecPrivateKey: CryptoKey;
let ecPublicKey: CryptoKey;
let otherRsaPrivatePem: string;

let clock: Date;
const now = (): Date => clock;
let server: SmartTokenServer | undefined;

beforeAll(async () => {
  jose = await import('jose');
  const rsa = await jose.generateKeyPair('RS384', { extractable: true });
  rsaPrivatePem = await jose.exportPKCS8(rsa.privateKey);
  rsaPublicJwk = await jose.exportJWK(rsa.publicKey);
  const ec = await jose.generateKeyPair('ES384', { extractable: true });
  ecPrivateKey = ec.privateKey;
  ecPublicKey = ec.publicKey;
  ecPrivateJwkJson = JSON.stringify({ ...(await jose.exportJWK(ec.privateKey)), kid: EC_KEY_ID, alg: 'ES384' });
  otherRsaPrivatePem = await jose.exportPKCS8((await jose.generateKeyPair('RS384', { extractable: true })).privateKey);
});

beforeEach(() => {
  clock = START;
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The fake with both clients registered: RSA by public JWK, EC by imported key. */
async function startServer(options: Partial<SmartTokenServerOptions> = {}): Promise<SmartTokenServer> {
  server = await startSmartTokenServer({
    clients: { [RSA_CLIENT]: rsaPublicJwk, [EC_CLIENT]: ecPublicKey },
    now,
    ...options,
  });
  return server;
}

function rsaAuth(tokenServer: SmartTokenServer, options: Partial<SmartBackendAuthOptions> = {}): SmartBackendAuth {
  return new SmartBackendAuth({
    tokenUrl: tokenServer.url,
    clientId: RSA_CLIENT,
    privateKey: rsaPrivatePem,
    now,
    ...options,
  });
}

function advance(milliseconds: number): void {
  clock = new Date(clock.getTime() + milliseconds);
}

/** An assertion signed here, for probing the fake directly. */
async function ecAssertion(audience: string, claims: { jti?: string; lifetimeSeconds?: number } = {}): Promise<string> {
  const iat = Math.floor(clock.getTime() / 1000);
  return new jose.SignJWT({})
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: EC_KEY_ID })
    .setIssuer(EC_CLIENT)
    .setSubject(EC_CLIENT)
    .setAudience(audience)
    .setJti(claims.jti ?? crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.lifetimeSeconds ?? 240))
    .sign(ecPrivateKey);
}

async function postAssertion(url: string, assertion: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'system/Slot.read',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
    }),
  });
  return { status: response.status, body: await response.json() };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('getting a token', () => {
  it('signs RS384 with a PKCS#8 PEM key and gets a token the server accepts', async () => {
    const tokenServer = await startServer();
    const token = await rsaAuth(tokenServer).accessToken();

    expect(tokenServer.isValidToken(token)).toBe(true);
    expect(tokenServer.requests).toEqual([
      { grantType: 'client_credentials', clientId: RSA_CLIENT, scope: DEFAULT_SMART_SCOPE, status: 200 },
    ]);
  });

  it('signs ES384 with a private JWK, its kid in the header and a 4-minute assertion', async () => {
    const tokenServer = await startServer();
    const sentForms: URLSearchParams[] = [];
    const auth = new SmartBackendAuth({
      tokenUrl: tokenServer.url,
      clientId: EC_CLIENT,
      privateKey: ecPrivateJwkJson,
      scope: 'system/Slot.read',
      now,
      fetch: (input, init) => {
        sentForms.push(new URLSearchParams(String(init?.body)));
        return fetch(input, init);
      },
    });

    const token = await auth.accessToken();

    expect(tokenServer.isValidToken(token)).toBe(true);
    expect(tokenServer.requests).toEqual([
      { grantType: 'client_credentials', clientId: EC_CLIENT, scope: 'system/Slot.read', status: 200 },
    ]);
    const assertion = sentForms[0]!.get('client_assertion')!;
    expect(jose.decodeProtectedHeader(assertion)).toEqual({ alg: 'ES384', typ: 'JWT', kid: EC_KEY_ID });
    const claims = jose.decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: EC_CLIENT, sub: EC_CLIENT, aud: tokenServer.url });
    expect(claims.iat).toBe(START.getTime() / 1000);
    expect(claims.exp).toBe(START.getTime() / 1000 + 240);
    expect(sentForms[0]!.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE);
  });
});

describe('the token cache', () => {
  it('answers a second call from the cache', async () => {
    const tokenServer = await startServer();
    const auth = rsaAuth(tokenServer);

    const first = await auth.accessToken();
    const second = await auth.accessToken();

    expect(second).toBe(first);
    expect(tokenServer.requests).toHaveLength(1);
  });

  it('shares one request between concurrent callers', async () => {
    const tokenServer = await startServer();
    const auth = rsaAuth(tokenServer);

    const tokens = await Promise.all([auth.accessToken(), auth.accessToken(), auth.accessToken()]);

    expect(new Set(tokens).size).toBe(1);
    expect(tokenServer.requests).toHaveLength(1);
  });

  it('requests a new token 60 s before expires_in runs out', async () => {
    const tokenServer = await startServer({ expiresInSeconds: 120 });
    const auth = rsaAuth(tokenServer);
    const first = await auth.accessToken();

    advance(59 * SECOND);
    expect(await auth.accessToken()).toBe(first);
    advance(1 * SECOND);
    const renewed = await auth.accessToken();

    expect(renewed).not.toBe(first);
    expect(tokenServer.isValidToken(renewed)).toBe(true);
    expect(tokenServer.requests).toHaveLength(2);
  });

  it('assumes 300 s when the answer has no expires_in', async () => {
    const tokenServer = await startServer();
    tokenServer.answerNextWith({ status: 200, body: { access_token: 'scripted-token', token_type: 'bearer' } });
    const auth = rsaAuth(tokenServer);
    expect(await auth.accessToken()).toBe('scripted-token');

    advance(239 * SECOND);
    expect(await auth.accessToken()).toBe('scripted-token');
    advance(1 * SECOND);

    expect(await auth.accessToken()).not.toBe('scripted-token');
    expect(tokenServer.requests).toHaveLength(2);
  });

  it('requests a new token after invalidate()', async () => {
    const tokenServer = await startServer();
    const auth = rsaAuth(tokenServer);
    const first = await auth.accessToken();

    auth.invalidate();
    const second = await auth.accessToken();

    expect(second).not.toBe(first);
    expect(tokenServer.requests).toHaveLength(2);
  });
});

describe('failures', () => {
  it('maps a refused assertion (wrong key) to EmrRequestError with the OAuth error', async () => {
    const tokenServer = await startServer();
    const auth = rsaAuth(tokenServer, { privateKey: otherRsaPrivatePem });

    const error = await rejectionOf(auth.accessToken());

    expect(error).toBeInstanceOf(EmrRequestError);
    expect(error).toMatchObject({ operation: 'token', issueCode: 'invalid_client' });
    expect((error as Error).message).toBe('EMR token failed: invalid_client');
    expect(tokenServer.requests).toEqual([expect.objectContaining({ status: 401, error: 'invalid_client' })]);
  });

  it('names the HTTP status when a refusal has no OAuth error, and a success without a token', async () => {
    const tokenServer = await startServer();
    tokenServer.answerNextWith({ status: 403 }, { status: 200, body: { token_type: 'bearer', expires_in: 300 } });
    const auth = rsaAuth(tokenServer);

    expect(await rejectionOf(auth.accessToken())).toMatchObject({ issueCode: 'http-403' });
    const missing = await rejectionOf(auth.accessToken());

    expect(missing).toBeInstanceOf(EmrRequestError);
    expect(missing).toMatchObject({ issueCode: 'no-access-token' });
  });

  it('gives EmrUnavailableError(unreachable) when the server is gone', async () => {
    const tokenServer = await startServer();
    const auth = rsaAuth(tokenServer);
    await tokenServer.stop();
    server = undefined;

    const error = await rejectionOf(auth.accessToken());

    expect(error).toBeInstanceOf(EmrUnavailableError);
    expect(error).toMatchObject({ operation: 'token', reason: 'unreachable' });
  });

  it('gives EmrUnavailableError(server-error) for a 500, and does not cache the failure', async () => {
    const tokenServer = await startServer();
    tokenServer.answerNextWith({ status: 500, body: { error: 'server_error' } });
    const auth = rsaAuth(tokenServer);

    const error = await rejectionOf(auth.accessToken());

    expect(error).toBeInstanceOf(EmrUnavailableError);
    expect(error).toMatchObject({ operation: 'token', reason: 'server-error' });
    expect(tokenServer.isValidToken(await auth.accessToken())).toBe(true);
  });

  it('gives EmrUnavailableError(timeout) when the server never answers', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    const auth = new SmartBackendAuth({
      tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
      clientId: RSA_CLIENT,
      privateKey: rsaPrivatePem,
      now,
      timeoutMs: 50,
    });

    try {
      expect(await rejectionOf(auth.accessToken())).toMatchObject({ operation: 'token', reason: 'timeout' });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('keys', () => {
  it('refuses key types SMART does not use, at construction', async () => {
    const ed25519 = crypto
      .generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const p256 = await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey);
    const options = { tokenUrl: 'http://127.0.0.1:1/oauth2/token', clientId: RSA_CLIENT };

    expect(() => new SmartBackendAuth({ ...options, privateKey: ed25519 })).toThrow(/only RSA .* and EC P-384/);
    expect(() => new SmartBackendAuth({ ...options, privateKey: JSON.stringify(p256) })).toThrow(/only RSA/);
    expect(() => new SmartBackendAuth({ ...options, privateKey: JSON.stringify(rsaPublicJwk) })).toThrow(/public key/);
    expect(() => new SmartBackendAuth({ ...options, privateKey: 'not a key' })).toThrow(/neither a PEM/);
  });
});

describe('the fake token endpoint', () => {
  it('refuses a replayed assertion', async () => {
    const tokenServer = await startServer();
    const assertion = await ecAssertion(tokenServer.url);

    const first = await postAssertion(tokenServer.url, assertion);
    const replay = await postAssertion(tokenServer.url, assertion);

    expect(first.status).toBe(200);
    expect(replay).toEqual({
      status: 400,
      body: { error: 'invalid_client', error_description: 'jti was already used' },
    });
    expect(tokenServer.issuedTokens).toBe(1);
  });

  it('refuses an assertion living over 5 minutes, or for another audience', async () => {
    const tokenServer = await startServer();

    const longLived = await postAssertion(
      tokenServer.url,
      await ecAssertion(tokenServer.url, { lifetimeSeconds: 301 }),
    );
    const elsewhere = await postAssertion(tokenServer.url, await ecAssertion('https://ehr.example.test/oauth2/token'));

    expect(longLived).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(elsewhere).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(tokenServer.issuedTokens).toBe(0);
  });

  it('refuses an expired assertion by its own clock, and expires its tokens by it', async () => {
    const tokenServer = await startServer({ expiresInSeconds: 300 });
    const assertion = await ecAssertion(tokenServer.url);
    const token = (
      (await postAssertion(tokenServer.url, await ecAssertion(tokenServer.url))).body as { access_token: string }
    ).access_token;

    advance(300 * SECOND);

    expect(await postAssertion(tokenServer.url, assertion)).toMatchObject({
      status: 400,
      body: { error: 'invalid_client' },
    });
    expect(tokenServer.isValidToken(token)).toBe(false);
  });

  it('refuses other grant types', async () => {
    const tokenServer = await startServer();
    const response = await fetch(tokenServer.url, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'u', password: 'p' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
