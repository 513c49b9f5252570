/**
 * The Twilio senders driving the real `twilio` SDK, pointed at the fake Twilio API through our RequestClient
 * subclass (TWILIO_API_BASE_URL): what is posted, how every Twilio error maps to a SendError, that nothing is retried
 * behind the outbox's back, the WhatsApp window, and the signed status callbacks coming back to our webhook.
 */
import type { GatedMessage } from '../../../src/consent/phi-gate';
import { released } from '../../support/gated-message';
import type { ChannelSender, OutboundToSend } from '../../../src/channels/channel-sender';
import { SendError } from '../../../src/channels/channel-sender';
import { createTwilioClient } from '../../../src/channels/twilio/twilio-client';
import {
  DEFAULT_WHATSAPP_NUDGE,
  type TwilioSenderSettings,
  createTwilioSenders,
} from '../../../src/channels/twilio/twilio-sender';
import { createTwilioWebhookRouter } from '../../../webhooks/twilio/twilio-webhook-router';
import { findFreePort } from '../../support/free-port';
import { waitFor } from '../../support/wait-for';
import { FakeTwilioApi } from '../../fakes/twilio/twilio-api-server';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PATIENT_NUMBER,
  PRACTICE_NUMBER,
  RecordingStatusSink,
  TEMPLATE_SID,
  type TestHttpApp,
  startHttpApp,
} from './twilio-test-kit';

const NOW = new Date('2026-03-02T15:00:00Z');
const HOUR = 3_600_000;
const PUBLIC_URL = 'https://concierge.example.test';
const QUICK_REPLIES = [
  { title: 'Hours', payload: 'faq.hours' },
  { title: 'Location', payload: 'faq.location' },
];

let fake: FakeTwilioApi;
let settings: TwilioSenderSettings;
let sms: ChannelSender;
let whatsapp: ChannelSender;

beforeAll(async () => {
  fake = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  settings = {
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    apiBaseUrl: fake.baseUrl,
    publicUrl: PUBLIC_URL,
    smsFrom: PRACTICE_NUMBER,
    whatsappFrom: PRACTICE_NUMBER,
    whatsappTemplateSid: TEMPLATE_SID,
  };
  const senders = createTwilioSenders(settings, { now: () => NOW });
  sms = senders.sms!;
  whatsapp = senders.whatsapp!;
});

afterAll(async () => {
  await fake?.stop();
});

afterEach(() => {
  fake.clearRecipientFailures();
  fake.enableStatusCallbacks(false);
});

let nextId = 1;
function outbound(overrides: Partial<OutboundToSend> = {}): GatedMessage {
  const id = nextId++;
  return released({
    outboundMessageId: id,
    conversationId: '00000000-0000-4000-8000-000000000001',
    channel: 'sms',
    seq: id,
    recipient: PATIENT_NUMBER,
    text: 'We’re open 8–5 today… see you soon.',
    quickReplies: [],
    author: 'bot',
    lang: 'en',
    lastInboundAt: new Date(NOW.getTime() - HOUR),
    ...overrides,
  });
}

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SendError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

function lastReceived() {
  return fake.received.at(-1)!;
}

describe('SMS', () => {
  test('capabilities: 320 characters, numbered options, PHI allowed', () => {
    expect(sms.channel).toBe('sms');
    expect(sms.capabilities).toEqual({ maxLength: 320, quickReplies: false, phiAllowed: true });
  });

  test('posts From, To, a GSM-7 Body with numbered options, and the status callback URL', async () => {
    const message = outbound({ quickReplies: QUICK_REPLIES });
    const result = await sms.send(message);
    expect(result.status).toBe('accepted');
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const request = lastReceived();
    expect(request.sid).toBe(result.providerMessageId);
    expect(request.accountSid).toBe(ACCOUNT_SID);
    expect(request.params).toEqual({
      To: PATIENT_NUMBER,
      From: PRACTICE_NUMBER,
      Body: "We're open 8-5 today... see you soon.\nReply 1 or 2:\n1) Hours\n2) Location",
      // Names our outbound id, so a send whose answer was lost can be settled by its callback.
      StatusCallback: `${PUBLIC_URL}/webhooks/twilio/status?outbound=${message.outboundMessageId}`,
    });
  });

  test('Spanish options', async () => {
    await sms.send(
      outbound({
        text: '¿En qué le ayudo?',
        lang: 'es',
        quickReplies: [{ title: 'Horario', payload: 'faq.hours' }, ...QUICK_REPLIES],
      }),
    );
    expect(lastReceived().params.Body).toBe('¿En qué le ayudo?\nResponda 1, 2 o 3:\n1) Horario\n2) Hours\n3) Location');
  });
});

describe('Twilio errors become SendErrors (and never quote the number)', () => {
  test.each([
    [21610, 'opted_out'],
    [21614, 'invalid_recipient'],
    [63016, 'window_closed'],
    [21606, 'rejected'],
  ] as const)('recipient refused with %d → %s', async (code, kind) => {
    fake.failRecipient(PATIENT_NUMBER, code);
    const error = await sendError(sms.send(outbound()));
    expect(error).toMatchObject({ kind, providerCode: String(code) });
    expect(error.message).toBe(`Twilio answered HTTP 400 with code ${code}`);
    expect(lastReceived().errorCode).toBe(code);
  });

  test('an invalid To is 21211 → invalid_recipient', async () => {
    const error = await sendError(sms.send(outbound({ recipient: '555-0123' })));
    expect(error).toMatchObject({ kind: 'invalid_recipient', providerCode: '21211' });
    expect(error.message).not.toContain('555');
  });

  test('a body over 1600 characters is 21617 → too_long', async () => {
    const error = await sendError(sms.send(outbound({ text: 'Long. '.repeat(300) })));
    expect(error).toMatchObject({ kind: 'too_long', providerCode: '21617' });
  });

  test('wrong credentials are 20003 (HTTP 401) → rejected', async () => {
    const client = createTwilioClient({ ...settings, authToken: 'not-the-right-token' });
    const senders = createTwilioSenders(settings, { client, now: () => NOW });
    const error = await sendError(senders.sms!.send(outbound()));
    expect(error).toMatchObject({ kind: 'rejected', providerCode: '20003' });
    expect(error.message).toBe('Twilio answered HTTP 401 with code 20003');
  });

  test.each([
    [500, 20500],
    [503, 20503],
    [429, 20429],
  ])('HTTP %d → transient, sent once (no retry inside the sender or the SDK)', async (httpStatus, code) => {
    const before = fake.received.length;
    fake.scriptNext({ kind: 'error', httpStatus, code });
    const error = await sendError(sms.send(outbound()));
    expect(error).toMatchObject({ kind: 'transient', providerCode: String(code) });
    expect(fake.received.length).toBe(before + 1);
  });

  test('a dropped connection → transient', async () => {
    fake.scriptNext({ kind: 'drop' });
    const error = await sendError(sms.send(outbound()));
    expect(error.kind).toBe('transient');
    expect(error.providerCode).toBeUndefined();
    expect(error.message).toMatch(/^Twilio could not be reached \(/);
  });

  test('nothing listening → transient', async () => {
    const port = await findFreePort();
    const senders = createTwilioSenders({ ...settings, apiBaseUrl: `http://127.0.0.1:${port}` }, { now: () => NOW });
    const error = await sendError(senders.sms!.send(outbound()));
    expect(error).toMatchObject({ kind: 'transient', message: 'Twilio could not be reached (ECONNREFUSED)' });
  });

  test('500 twice then 201: each send is one request; the third succeeds', async () => {
    const before = fake.received.length;
    fake.scriptNext({ kind: 'error', httpStatus: 500, code: 20500 }, { kind: 'error', httpStatus: 500, code: 20500 });
    const message = outbound();
    expect((await sendError(sms.send(message))).kind).toBe('transient');
    expect((await sendError(sms.send(message))).kind).toBe('transient');
    const result = await sms.send(message);
    expect(result.providerMessageId).toMatch(/^SM/);
    expect(fake.received.slice(before).map((request) => request.httpStatus)).toEqual([500, 500, 201]);
    expect(fake.accepted().filter((request) => request.sid === result.providerMessageId)).toHaveLength(1);
  });
});

describe('WhatsApp', () => {
  test('capabilities: 1600 characters, no PHI, 24 h window', () => {
    expect(whatsapp.channel).toBe('whatsapp');
    expect(whatsapp.capabilities).toEqual({
      maxLength: 1600,
      quickReplies: false,
      phiAllowed: false,
      messagingWindowHours: 24,
    });
  });

  test('within 24 h: free-form text with numbered options between whatsapp: addresses', async () => {
    const text = 'Our address is 1200 River Road — see you soon.';
    const message = outbound({
      channel: 'whatsapp',
      recipient: `whatsapp:${PATIENT_NUMBER}`,
      text,
      quickReplies: QUICK_REPLIES,
      lastInboundAt: new Date(NOW.getTime() - 23 * HOUR),
    });
    const result = await whatsapp.send(message);
    expect(result.providerMessageId).toMatch(/^SM/);
    expect(lastReceived().params).toEqual({
      To: `whatsapp:${PATIENT_NUMBER}`,
      From: `whatsapp:${PRACTICE_NUMBER}`,
      Body: `${text}\nReply 1 or 2:\n1) Hours\n2) Location`,
      StatusCallback: `${PUBLIC_URL}/webhooks/twilio/status?outbound=${message.outboundMessageId}`,
    });
  });

  test('a recipient stored without the prefix gets it', async () => {
    await whatsapp.send(outbound({ channel: 'whatsapp', recipient: PATIENT_NUMBER }));
    expect(lastReceived().params.To).toBe(`whatsapp:${PATIENT_NUMBER}`);
  });

  test.each([
    ['25 h of silence', new Date(NOW.getTime() - 25 * HOUR)],
    ['exactly 24 h', new Date(NOW.getTime() - 24 * HOUR)],
    ['no inbound message at all', null],
  ])('outside the window (%s): free text is refused and nothing is posted', async (_label, lastInboundAt) => {
    const before = fake.received.length;
    const error = await sendError(whatsapp.send(outbound({ channel: 'whatsapp', lastInboundAt })));
    expect(error).toMatchObject({ kind: 'window_closed', providerCode: undefined });
    expect(fake.received.length).toBe(before);
  });

  test('the window nudge: the approved template with a generic nudge, never the text', async () => {
    const text = 'Your lab results are ready: glucose 180';
    const result = await whatsapp.sendWindowNudge!(
      outbound({ channel: 'whatsapp', recipient: `whatsapp:${PATIENT_NUMBER}`, text, lastInboundAt: null, lang: 'es' }),
    );
    expect(result).toEqual({ status: 'accepted', providerMessageId: expect.stringMatching(/^SM/) });
    const params = lastReceived().params;
    expect(params).toEqual({
      To: `whatsapp:${PATIENT_NUMBER}`,
      From: `whatsapp:${PRACTICE_NUMBER}`,
      ContentSid: TEMPLATE_SID,
      ContentVariables: JSON.stringify(DEFAULT_WHATSAPP_NUDGE.es),
      // Without our outbound id: the template's statuses must not settle the message it stands in for.
      StatusCallback: `${PUBLIC_URL}/webhooks/twilio/status`,
    });
    expect(JSON.stringify(params)).not.toContain('glucose');
  });

  test('configured template variables are used as given', async () => {
    const variables = { '1': 'Riverside Family Medicine' };
    const senders = createTwilioSenders({ ...settings, whatsappTemplateVariables: variables }, { now: () => NOW });
    await senders.whatsapp!.sendWindowNudge!(outbound({ channel: 'whatsapp', lastInboundAt: null }));
    expect(lastReceived().params.ContentVariables).toBe(JSON.stringify(variables));
  });

  test('a nudge without a configured template: window_closed, nothing posted', async () => {
    const senders = createTwilioSenders({ ...settings, whatsappTemplateSid: undefined }, { now: () => NOW });
    const before = fake.received.length;
    const error = await sendError(
      senders.whatsapp!.sendWindowNudge!(outbound({ channel: 'whatsapp', lastInboundAt: new Date(NOW.getTime() - 48 * HOUR) })),
    );
    expect(error).toMatchObject({ kind: 'window_closed', providerCode: undefined });
    expect(fake.received.length).toBe(before);
  });

  test('63016 from Twilio → window_closed', async () => {
    fake.scriptNext({ kind: 'error', httpStatus: 400, code: 63016 });
    const error = await sendError(whatsapp.send(outbound({ channel: 'whatsapp' })));
    expect(error).toMatchObject({ kind: 'window_closed', providerCode: '63016' });
  });

  test('only configured channels get a sender', () => {
    const senders = createTwilioSenders({ ...settings, whatsappFrom: undefined });
    expect(senders.sms).toBeDefined();
    expect(senders.whatsapp).toBeUndefined();
  });
});

describe('status callbacks come back signed to our webhook', () => {
  let app: TestHttpApp;
  const statuses = new RecordingStatusSink();
  let callbackSenders: ReturnType<typeof createTwilioSenders>;

  beforeAll(async () => {
    // PUBLIC_URL is the app's own address here, so the fake's callbacks are signed for the URL the router validates.
    app = await startHttpApp((logger, _metrics, baseUrl) => [
      createTwilioWebhookRouter({
        authToken: AUTH_TOKEN,
        publicUrl: baseUrl,
        ingest: { acceptFrom: () => Promise.reject(new Error('not used by status callbacks')) },
        statuses,
        practiceId: () => 'practice-1',
        logger,
      }),
    ]);
    callbackSenders = createTwilioSenders({ ...settings, publicUrl: app.baseUrl }, { now: () => NOW });
  });

  afterAll(async () => {
    await app?.close();
  });

  test('SMS: sent then delivered reach the status sink as sms', async () => {
    fake.enableStatusCallbacks(true, [{ status: 'sent' }, { status: 'delivered' }]);
    const message = outbound();
    const result = await callbackSenders.sms!.send(message);
    await fake.settle();
    await waitFor(() => statuses.updates.filter((u) => u.providerMessageId === result.providerMessageId).length === 2);
    expect(statuses.updates.filter((u) => u.providerMessageId === result.providerMessageId)).toEqual([
      { channel: 'sms', providerMessageId: result.providerMessageId, status: 'sent', outboundMessageId: message.outboundMessageId },
      { channel: 'sms', providerMessageId: result.providerMessageId, status: 'delivered', outboundMessageId: message.outboundMessageId },
    ]);
    expect(fake.callbacks.slice(-2).map((callback) => callback.responseStatus)).toEqual([204, 204]);
  });

  test('WhatsApp: a late 63016 failure reaches the sink as whatsapp with its code', async () => {
    fake.enableStatusCallbacks(true, [{ status: 'sent' }, { status: 'failed', errorCode: 63016 }]);
    const message = outbound({ channel: 'whatsapp' });
    const result = await callbackSenders.whatsapp!.send(message);
    await fake.settle();
    expect(statuses.updates.filter((u) => u.providerMessageId === result.providerMessageId)).toEqual([
      { channel: 'whatsapp', providerMessageId: result.providerMessageId, status: 'sent', outboundMessageId: message.outboundMessageId },
      {
        channel: 'whatsapp',
        providerMessageId: result.providerMessageId,
        status: 'failed',
        errorCode: '63016',
        outboundMessageId: message.outboundMessageId,
      },
    ]);
  });

  test('no PHI in the logs of the round trips', () => {
    const logs = app.logs.text();
    expect(logs).not.toContain('5555550123');
    expect(logs).not.toContain('open 8');
  });
});
