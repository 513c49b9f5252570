/**
 * The Twilio edge over real HTTP, mounted on our real Express app (error handler included), with recorded Twilio
 * form bodies signed by the SDK for PUBLIC_URL. The ingest side here is a recording `acceptFrom` written in this test:
 * a test double of OUR code, used only for the router's own edge behaviour (400 / 403 / 413 / malformed / valid
 * signature / duplicate acknowledgement / 503 pass-through). The real IngestService behind this router is exercised in
 * twilio-webhook-ingest.test.ts against PostgreSQL and Redis.
 */
import type { AcceptedInbound, IngestService } from '../../../src/conversation/ingest-service';
import { UnavailableError } from '../../../src/errors';
import { EMPTY_TWIML, createTwilioWebhookRouter } from '../../../webhooks/twilio/twilio-webhook-router';
import {
  AUTH_TOKEN,
  RecordingStatusSink,
  type TestHttpApp,
  encodeForm,
  fixtureFields,
  postForm,
  readFixture,
  startHttpApp,
} from './twilio-test-kit';

/** Twilio is configured with the public URL (TLS terminated in front of us), not the address we listen on. */
const PUBLIC_URL = 'https://concierge.example.test';
const MESSAGING = '/webhooks/twilio/messaging';
const STATUS = '/webhooks/twilio/status';

type AcceptFrom = IngestService['acceptFrom'];
type AcceptFromInput = Parameters<AcceptFrom>[0];

/** Records what the edge hands over and answers like IngestService: one row per (channel, provider id). */
class RecordingIngest {
  readonly calls: AcceptFromInput[] = [];
  failure?: Error;
  private readonly stored = new Map<string, number>();

  readonly acceptFrom = async (message: AcceptFromInput): Promise<AcceptedInbound> => {
    this.calls.push(message);
    if (this.failure) throw this.failure;
    const key = `${message.channel}:${message.providerMessageId}`;
    const existing = this.stored.get(key);
    if (existing !== undefined) return { inboundMessageId: existing, seq: existing, duplicate: true };
    const id = this.stored.size + 1;
    this.stored.set(key, id);
    return { inboundMessageId: id, seq: id, duplicate: false };
  };
}

let app: TestHttpApp;
let ingest: RecordingIngest;
let statuses: RecordingStatusSink;

beforeEach(async () => {
  ingest = new RecordingIngest();
  statuses = new RecordingStatusSink();
  app = await startHttpApp((logger, metrics) => [
    createTwilioWebhookRouter({
      authToken: AUTH_TOKEN,
      publicUrl: PUBLIC_URL,
      ingest,
      statuses,
      practiceId: () => 'practice-1',
      logger,
      metrics,
    }),
  ]);
});

afterEach(async () => {
  await app.close();
});

function post(path: string, body: string, options: Partial<Parameters<typeof postForm>[2]> = {}) {
  return postForm(`${app.baseUrl}${path}`, body, { signedUrl: `${PUBLIC_URL}${path}`, ...options });
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}

describe('inbound messages', () => {
  test('a signed SMS is handed over once and acknowledged with empty TwiML', async () => {
    const response = await post(MESSAGING, readFixture('sms-inbound.form'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await response.text()).toBe(EMPTY_TWIML);
    expect(ingest.calls).toEqual([
      {
        practiceId: 'practice-1',
        channel: 'sms',
        address: '+15555550123',
        providerMessageId: 'SM5f1b2c3d4e5f60718293a4b5c6d7e8f9',
        text: 'What are your hours?',
        payload: undefined,
      },
    ]);
  });

  test('a repeated delivery is acknowledged exactly the same way', async () => {
    const first = await post(MESSAGING, readFixture('sms-inbound.form'));
    const second = await post(MESSAGING, readFixture('sms-inbound.form'));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await second.text()).toBe(EMPTY_TWIML);
    expect(ingest.calls.map((call) => call.providerMessageId)).toEqual([
      'SM5f1b2c3d4e5f60718293a4b5c6d7e8f9',
      'SM5f1b2c3d4e5f60718293a4b5c6d7e8f9',
    ]);
  });

  test('WhatsApp (whatsapp: From) keeps the prefix in the address and carries the button payload', async () => {
    expect((await post(MESSAGING, readFixture('whatsapp-inbound-button.form'))).status).toBe(200);
    expect(await post(MESSAGING, readFixture('whatsapp-inbound-text.form')).then((r) => r.status)).toBe(200);
    expect(ingest.calls).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        address: 'whatsapp:+15555550123',
        text: 'Location',
        payload: 'faq.location',
      }),
      expect.objectContaining({
        channel: 'whatsapp',
        address: 'whatsapp:+15555550123',
        text: '¿A qué hora abren mañana?',
        payload: undefined,
      }),
    ]);
  });

  test('OptOutType is carried as twilio-opt-out:<TYPE> in the payload', async () => {
    expect((await post(MESSAGING, readFixture('sms-inbound-stop.form'))).status).toBe(200);
    expect(ingest.calls[0]).toMatchObject({ channel: 'sms', text: 'STOP', payload: 'twilio-opt-out:STOP' });
  });

  test('an MMS with an empty Body is accepted', async () => {
    expect((await post(MESSAGING, readFixture('mms-inbound-media.form'))).status).toBe(200);
    expect(ingest.calls[0]).toMatchObject({ providerMessageId: 'MM9f8e7d6c5b4a39281706f5e4d3c2b1a0', text: '' });
  });

  test('fields Twilio adds without notice are accepted (and covered by the signature)', async () => {
    const fields = {
      ...fixtureFields('sms-inbound.form'),
      SomeNewTwilioField: 'value',
      AddOns: '{"status":"successful"}',
    };
    expect((await post(MESSAGING, encodeForm(fields))).status).toBe(200);
  });

  test('the query string is part of what is signed', async () => {
    const path = `${MESSAGING}?location=main`;
    expect((await post(path, readFixture('sms-inbound.form'))).status).toBe(200);
    const unsignedQuery = await post(path, readFixture('sms-inbound.form'), { signedUrl: `${PUBLIC_URL}${MESSAGING}` });
    expect(unsignedQuery.status).toBe(403);
  });
});

describe('signatures', () => {
  test('missing X-Twilio-Signature → 400, nothing handed over', async () => {
    const response = await post(MESSAGING, readFixture('sms-inbound.form'), { sign: false });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({
      code: 'missing_signature',
      message: 'X-Twilio-Signature header is missing',
    });
    expect(ingest.calls).toHaveLength(0);
  });

  test.each([
    ['signed with another auth token', { authToken: 'some-other-accounts-token-000001' }],
    ['signed for the local address instead of PUBLIC_URL', { signedUrl: `http://127.0.0.1${MESSAGING}` }],
    ['signed for another path', { signedUrl: `${PUBLIC_URL}${STATUS}` }],
  ])('%s → 403, nothing handed over', async (_label, options) => {
    const response = await post(MESSAGING, readFixture('sms-inbound.form'), options);
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toEqual({
      code: 'invalid_signature',
      message: 'X-Twilio-Signature does not match this request',
    });
    expect(ingest.calls).toHaveLength(0);
  });

  test('a field changed or added after signing → 403', async () => {
    const signed = fixtureFields('sms-inbound.form');
    const changed = { ...signed, Body: 'Cancel my appointment' };
    expect((await post(MESSAGING, encodeForm(changed), { signedFields: signed })).status).toBe(403);
    const added = { ...signed, ButtonPayload: 'appointment.cancel' };
    expect((await post(MESSAGING, encodeForm(added), { signedFields: signed })).status).toBe(403);
    expect(ingest.calls).toHaveLength(0);
  });

  test('status callbacks are checked the same way', async () => {
    expect((await post(STATUS, readFixture('status-sms-delivered.form'), { sign: false })).status).toBe(400);
    expect(
      (await post(STATUS, readFixture('status-sms-delivered.form'), { authToken: 'some-other-accounts-token-000001' }))
        .status,
    ).toBe(403);
    expect(statuses.updates).toHaveLength(0);
  });

  test('refusals are logged without PHI and counted', async () => {
    await post(MESSAGING, readFixture('sms-inbound.form'), { authToken: 'some-other-accounts-token-000001' });
    await post(MESSAGING, readFixture('sms-inbound.form'), { sign: false });
    const logs = app.logs.text();
    expect(logs).toContain('twilio webhook refused');
    expect(logs).not.toContain('5555550123');
    expect(logs).not.toContain('hours');
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toContain('concierge_errors_total{kind="twilio_invalid_signature"} 1');
    expect(metrics).toContain('concierge_errors_total{kind="twilio_missing_signature"} 1');
  });
});

describe('malformed and oversized requests', () => {
  const base = fixtureFields('sms-inbound.form');

  test.each([
    ['MessageSid missing', { MessageSid: undefined }, 'MessageSid: is required'],
    [
      'MessageSid not a message SID',
      { MessageSid: 'CA5f1b2c3d4e5f60718293a4b5c6d7e8f9' },
      'MessageSid: must be SM or MM followed by 32 hexadecimal digits',
    ],
    ['From missing', { From: undefined }, 'From: is required'],
    [
      'From not a phone number',
      { From: 'patient-5555550123' },
      'From: must be an E.164 phone number, optionally prefixed whatsapp:',
    ],
    [
      'To on another channel than From',
      { To: 'whatsapp:+15555550100' },
      'To: must be on the same channel as From (both prefixed whatsapp: or neither)',
    ],
    ['Body over 1600 characters', { Body: 'x'.repeat(1601) }, 'Body: must be at most 1600 characters'],
    ['NumMedia not a number', { NumMedia: 'many' }, 'NumMedia: must be a small whole number'],
    [
      'OptOutType not a keyword type',
      { OptOutType: 'STOP NOW' },
      'OptOutType: must be a keyword type such as STOP, START or HELP',
    ],
  ])('%s → 400 malformed naming the field, never its value', async (_label, change, message) => {
    const fields = Object.fromEntries(
      Object.entries({ ...base, ...change }).filter(([, value]) => value !== undefined),
    ) as Record<string, string>;
    const response = await post(MESSAGING, encodeForm(fields));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toEqual({ code: 'malformed', message });
    expect(error.message).not.toContain('5555550123');
    expect(ingest.calls).toHaveLength(0);
  });

  test('a repeated field → 400 naming it', async () => {
    const body = `${readFixture('sms-inbound.form')}&Body=second`;
    const signedFields = { ...fixtureFields('sms-inbound.form') } as Record<string, string | string[]>;
    signedFields.Body = ['What are your hours?', 'second'];
    const response = await postForm(`${app.baseUrl}${MESSAGING}`, body, {
      signedUrl: `${PUBLIC_URL}${MESSAGING}`,
      signedFields: signedFields as Record<string, string>,
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ code: 'malformed', message: 'Body: must be a single text value' });
  });

  test('a body over 64 kB → 413 before anything else', async () => {
    const fields = { ...base, Padding: 'x'.repeat(70 * 1024) };
    const response = await post(MESSAGING, encodeForm(fields), { sign: false });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('too_large');
    expect(ingest.calls).toHaveLength(0);
  });

  test('a body that is not a form carries no fields → 400 malformed', async () => {
    const response = await post(MESSAGING, JSON.stringify(base), { contentType: 'application/json', signedFields: {} });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ code: 'malformed', message: 'MessageSid: is required' });
  });

  test('a database outage → 503 so Twilio retries', async () => {
    ingest.failure = new UnavailableError('database unavailable');
    const response = await post(MESSAGING, readFixture('sms-inbound.form'));
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toEqual({ code: 'unavailable', message: 'database unavailable' });
  });
});

describe('status callbacks', () => {
  test('an SMS delivery → 204 and the sink gets sms/delivered (unknown extra fields ignored)', async () => {
    const response = await post(STATUS, readFixture('status-sms-delivered.form'));
    expect(response.status).toBe(204);
    expect(statuses.updates).toEqual([
      { channel: 'sms', providerMessageId: 'SM7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d', status: 'delivered' },
    ]);
  });

  test('a WhatsApp failure → whatsapp/failed with its error code', async () => {
    expect((await post(STATUS, readFixture('status-whatsapp-failed.form'))).status).toBe(204);
    expect(statuses.updates).toEqual([
      {
        channel: 'whatsapp',
        providerMessageId: 'SM8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e',
        status: 'failed',
        errorCode: '63016',
      },
    ]);
  });

  test('WhatsApp is recognised from From alone too; an empty ErrorCode is no code', async () => {
    const fields = {
      MessageSid: 'SM9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f',
      MessageStatus: 'read',
      From: 'whatsapp:+15555550100',
      ErrorCode: '',
    };
    expect((await post(STATUS, encodeForm(fields))).status).toBe(204);
    expect(statuses.updates).toEqual([{ channel: 'whatsapp', providerMessageId: fields.MessageSid, status: 'read' }]);
  });

  test('statuses we do not track (accepted, scheduled…) are acknowledged and ignored', async () => {
    const fields = { ...fixtureFields('status-sms-delivered.form'), MessageStatus: 'accepted', SmsStatus: 'accepted' };
    expect((await post(STATUS, encodeForm(fields))).status).toBe(204);
    expect(statuses.updates).toHaveLength(0);
  });

  test.each([
    ['MessageStatus missing', { MessageStatus: undefined }, 'MessageStatus: is required'],
    ['MessageStatus not a status', { MessageStatus: 'Delivered!' }, 'MessageStatus: must be a Twilio message status'],
    ['ErrorCode not numeric', { ErrorCode: 'oops' }, 'ErrorCode: must be a numeric Twilio error code'],
  ])('%s → 400 malformed', async (_label, change, message) => {
    const fields = Object.fromEntries(
      Object.entries({ ...fixtureFields('status-sms-delivered.form'), ...change }).filter(
        ([, value]) => value !== undefined,
      ),
    ) as Record<string, string>;
    const response = await post(STATUS, encodeForm(fields));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ code: 'malformed', message });
    expect(statuses.updates).toHaveLength(0);
  });
});
