/**
 * The Messenger edge over real HTTP, mounted on the product's own Express 5 app and error handler. Bodies are the
 * recorded fixtures, signed here with a test secret over their exact bytes.
 *
 * `acceptFrom` and the status sink are recording test doubles of OUR code, used ONLY for the edge's own behaviour
 * (verification, 400/403/404/413, malformed bodies, echoes, batching and order). Storage, dedupe and the 503 of a
 * database outage are tested against the real IngestService in messenger-ingest.test.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { ProviderStatusSink } from '../../../src/channels/channel-sender';
import type { AcceptedInbound, IngestService } from '../../../src/conversation/ingest-service';
import { UnavailableError } from '../../../src/errors';
import { createHttpApp } from '../../../src/http/http-app';
import { type Logger, createLogger } from '../../../src/observability/logger';
import { type Metrics, createMetrics } from '../../../src/observability/metrics';
import { createMessengerWebhookRouter } from '../../../webhooks/messenger/messenger-webhook-router';
import { LogCapture } from '../../support/log-capture';

const FIXTURES = path.resolve(__dirname, '../../fixtures/messenger');
const APP_SECRET = 'test-app-secret-not-real';
const VERIFY_TOKEN = 'test-verify-token-not-real';
const PRACTICE_ID = '00000000-0000-4000-8000-0000000000aa';

type AcceptInput = Parameters<IngestService['acceptFrom']>[0];
type StatusUpdate = Parameters<ProviderStatusSink['recordProviderStatus']>[0];

/** Test double of IngestService.acceptFrom: records calls; a mid seen before is a duplicate; can be made to fail. */
class RecordingIngest implements Pick<IngestService, 'acceptFrom'> {
  readonly accepted: AcceptInput[] = [];
  failWith?: Error;
  async acceptFrom(message: AcceptInput): Promise<AcceptedInbound> {
    await new Promise((resolve) => setImmediate(resolve)); // let other senders interleave, as a database would
    if (this.failWith) throw this.failWith;
    const duplicate = this.accepted.some((earlier) => earlier.providerMessageId === message.providerMessageId);
    this.accepted.push(message);
    return { inboundMessageId: this.accepted.length, seq: this.accepted.length, duplicate };
  }
}

class RecordingStatuses implements ProviderStatusSink {
  readonly updates: StatusUpdate[] = [];
  async recordProviderStatus(update: StatusUpdate): Promise<void> {
    this.updates.push(update);
  }
}

let server: http.Server;
let baseUrl: string;
let ingest: RecordingIngest;
let statuses: RecordingStatuses;
let logs: LogCapture;

function routerUnderTest(logger: Logger, metrics: Metrics) {
  return createMessengerWebhookRouter({ appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, ingest, statuses, practiceId: () => PRACTICE_ID, logger, metrics });
}

beforeEach(async () => {
  ingest = new RecordingIngest();
  statuses = new RecordingStatuses();
  logs = new LogCapture();
  const logger = createLogger('info', logs);
  const metrics = createMetrics();
  const router = routerUnderTest(logger, metrics);
  server = http.createServer(createHttpApp(logger, metrics, [router]));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/messenger`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const signatureOf = (body: Buffer | string, secret = APP_SECRET) =>
  `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

/** POSTs `body` signed correctly, or with the given signature header, or with none (`null`). */
function post(body: Buffer | string, signature: string | null = signatureOf(body)): Promise<Response> {
  return fetch(baseUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body,
  });
}

describe('verification handshake', () => {
  test('subscribe with the verify token answers the raw challenge as text', async () => {
    const response = await fetch(
      `${baseUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('1158201444');
  });

  test.each([
    ['a wrong token', `hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`],
    ['no token', `hub.mode=subscribe&hub.challenge=1`],
    ['another mode', `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`],
    ['no parameters', ''],
  ])('%s → 403 without the challenge', async (_case, query) => {
    const response = await fetch(`${baseUrl}?${query}`);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('"1"');
  });
});

describe('authentication', () => {
  test('no signature → 400, a wrong one → 403, and nothing reaches ingest', async () => {
    const body = fixture('text-message.json');
    const missing = await post(body, null);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: { code: 'missing_signature', message: 'X-Hub-Signature-256 header is required' },
    });
    expect((await post(body, signatureOf(body, 'another-secret'))).status).toBe(403);
    expect((await post(body, 'sha256=not-hex')).status).toBe(403);
    expect(ingest.accepted).toHaveLength(0);
  });

  test('the raw bytes are what is verified: escaped non-ASCII passes, a signature over re-serialised JSON does not', async () => {
    const raw = fixture('message-non-ascii-escaped.json');
    const reserialised = JSON.stringify(JSON.parse(raw.toString('utf8')));
    expect((await post(raw, signatureOf(reserialised))).status).toBe(403);
    expect(ingest.accepted).toHaveLength(0);
    const response = await post(raw);
    expect(response.status).toBe(200);
    expect(ingest.accepted).toEqual([
      expect.objectContaining({ text: '¿A qué hora abren el sábado? Café <gratis> 50% https://example.org/horario' }),
    ]);
  });

  test('the content type does not matter to verification', async () => {
    const body = fixture('text-message.json');
    const response = await fetch(baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-hub-signature-256': signatureOf(body) },
      body,
    });
    expect(response.status).toBe(200);
  });
});

describe('malformed and unexpected bodies', () => {
  test('invalid JSON → 400', async () => {
    const response = await post('{"object":"page",');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'malformed', message: 'body is not valid JSON' } });
  });

  test('a schema violation → 400 naming the field, never a value', async () => {
    const canary = 'Canary Patient 555-0199';
    const response = await post(
      JSON.stringify({
        object: 'page',
        entry: [{ messaging: [{ sender: { id: canary }, timestamp: 1, message: { text: canary } }] }],
      }),
    );
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      error: { code: 'malformed', message: expect.stringMatching(/^entry\.0\.messaging\.0\.message\.mid: /) },
    });
    expect(text).not.toContain(canary);
    expect(logs.text()).not.toContain(canary);
  });

  test('an empty signed body → 400', async () => {
    expect((await post('')).status).toBe(400);
  });

  test('a body over 1 MB → 413', async () => {
    const body = JSON.stringify({ object: 'page', entry: [], padding: 'x'.repeat(1024 * 1024) });
    const response = await post(body);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'too_large' } });
  });

  test('an object other than page → 404, as in Meta’s own webhook example', async () => {
    const response = await post(JSON.stringify({ object: 'instagram', entry: [{ id: '1', time: 1, changes: [] }] }));
    expect(response.status).toBe(404);
    expect(ingest.accepted).toHaveLength(0);
  });
});

test('mounted behind a JSON body parser it fails loudly (500) instead of refusing every signature', async () => {
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const router = routerUnderTest(logger, metrics);
  const misordered = http.createServer(createHttpApp(logger, metrics, [express.Router().use(express.json()), router]));
  await new Promise<void>((resolve) => misordered.listen(0, '127.0.0.1', () => resolve()));
  try {
    const body = fixture('text-message.json');
    const url = `http://127.0.0.1:${(misordered.address() as AddressInfo).port}/webhooks/messenger`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(body) },
      body,
    });
    expect(response.status).toBe(500);
    expect(ingest.accepted).toHaveLength(0);
  } finally {
    misordered.closeAllConnections();
    await new Promise((resolve) => misordered.close(resolve));
  }
});

describe('batches', () => {
  test('every entry and every item is handled, in timestamp order per sender; echoes and reads never reach the bot', async () => {
    const response = await post(fixture('batch-two-users-mixed-events.json'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('EVENT_RECEIVED');

    const midsOf = (address: string) =>
      ingest.accepted.filter((call) => call.address === address).map((call) => call.providerMessageId);
    expect(midsOf('7100000000000001')).toEqual(['m_user1_first', 'm_user1_postback', 'm_user1_third']);
    expect(midsOf('7100000000000002')).toEqual(['m_user2_first']);
    expect(midsOf('7100000000000003')).toEqual(['m_user3_standby']);
    expect(ingest.accepted.map((call) => call.providerMessageId)).not.toContain('m_page_echo');
    expect(ingest.accepted).toContainEqual({
      practiceId: PRACTICE_ID,
      channel: 'messenger',
      address: '7100000000000001',
      providerMessageId: 'm_user1_first',
      text: 'Book a visit',
      payload: 'BOOK_APPOINTMENT',
    });
    expect(ingest.accepted).toContainEqual(
      expect.objectContaining({ providerMessageId: 'm_user1_postback', text: 'Get Started', payload: 'GET_STARTED' }),
    );
    expect(ingest.accepted).toContainEqual(
      expect.objectContaining({ providerMessageId: 'm_user3_standby', text: '[attachment]' }),
    );

    expect(statuses.updates).toEqual([
      { channel: 'messenger', providerMessageId: 'm_out_1', status: 'delivered' },
      { channel: 'messenger', providerMessageId: 'm_out_2', status: 'delivered' },
    ]);
  });

  test('the log line counts what arrived, with no PSID or text', async () => {
    await post(fixture('batch-two-users-mixed-events.json'));
    const line = logs.lines
      .map((entry) => JSON.parse(entry) as Record<string, unknown>)
      .find((entry) => entry.msg === 'messenger batch accepted');
    expect(line).toMatchObject({
      messages: 5,
      duplicates: 0,
      standby: 1,
      echoes: 1,
      deliveredMids: 2,
      readWatermarks: 1,
      ignored: 0,
    });
    for (const secret of ['7100000000000001', '7100000000000003', 'Book a visit', 'new patients', 'm_user1_first']) {
      expect(logs.text()).not.toContain(secret);
    }
  });

  test('a batch delivered twice is acknowledged twice; the second is all duplicates', async () => {
    const body = fixture('three-messages-two-users.json');
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    expect(ingest.accepted).toHaveLength(6);
    const lines = logs.lines
      .map((entry) => JSON.parse(entry) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'messenger batch accepted');
    expect(lines.map((line) => line.duplicates)).toEqual([0, 3]);
  });

  test('a database outage during ingest → 503 so Meta delivers again', async () => {
    ingest.failWith = new UnavailableError('database unavailable');
    const response = await post(fixture('three-messages-two-users.json'));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: { code: 'unavailable', message: 'database unavailable' } });
  });
});
