/**
 * The Messenger sender over real HTTP against the fake Graph Send API: messaging types by window, every error
 * mapping, and the page token never in a URL. Made-up PSIDs and texts.
 */
import type { GatedMessage } from '../../../src/consent/phi-gate';
import { released } from '../../support/gated-message';
import { type OutboundToSend, SendError } from '../../../src/channels/channel-sender';
import { MessengerSender } from '../../../src/channels/messenger/messenger-sender';
import { GraphApiServer, graphErrors } from '../../fakes/graph/graph-api-server';
import { findFreePort } from '../../support/free-port';

const PAGE_TOKEN = 'EAAtest-page-token-not-real';
const APP_SECRET = 'test-app-secret-not-real';
const PATIENT = '7200000000000001';
const HOUR_MS = 3600_000;

let graph: GraphApiServer;
let clock: Date;
let sender: MessengerSender;

beforeEach(async () => {
  clock = new Date('2026-03-10T15:00:00Z');
  graph = await GraphApiServer.start({ pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, now: () => clock });
  sender = new MessengerSender(
    { pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, graphBaseUrl: graph.baseUrl },
    { now: () => clock },
  );
});

afterEach(async () => {
  await graph.stop();
});

function outbound(overrides: Partial<OutboundToSend> = {}): GatedMessage {
  return released({
    outboundMessageId: 1,
    conversationId: '00000000-0000-4000-8000-000000000001',
    channel: 'messenger',
    seq: 2,
    recipient: PATIENT,
    text: 'We are open Monday to Friday, 8am to 6pm.',
    quickReplies: [],
    author: 'bot',
    lang: 'en',
    lastInboundAt: hoursAgo(1),
    ...overrides,
  });
}

function hoursAgo(hours: number): Date {
  return new Date(clock.getTime() - hours * HOUR_MS);
}

async function sendError(message: GatedMessage, using = sender): Promise<SendError> {
  try {
    await using.send(message);
  } catch (error) {
    if (error instanceof SendError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

test('within 24 hours: RESPONSE, quick replies, Bearer token and appsecret_proof, never the token in the URL', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  const result = await sender.send(
    outbound({
      text: 'Which day suits you?',
      quickReplies: [
        { title: 'Tomorrow morning', payload: 'DAY_TOMORROW' },
        { title: 'Next week, any afternoon', payload: 'DAY_NEXT_WEEK' },
      ],
    }),
  );
  expect(result).toEqual({ status: 'sent', providerMessageId: graph.messages[0]!.messageId });
  expect(result.providerMessageId).toMatch(/^m_/);
  expect(graph.messages).toEqual([
    expect.objectContaining({
      recipientId: PATIENT,
      messagingType: 'RESPONSE',
      text: 'Which day suits you?',
      quickReplies: [
        { content_type: 'text', title: 'Tomorrow morning', payload: 'DAY_TOMORROW' },
        { content_type: 'text', title: 'Next week, any…', payload: 'DAY_NEXT_WEEK' },
      ],
    }),
  ]);
  const [request] = graph.requests;
  expect(request!.url).toBe('/v21.0/me/messages');
  expect(request!.url).not.toContain(PAGE_TOKEN);
  expect(request!.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
  expect(JSON.parse(request!.rawBody)).toMatchObject({
    recipient: { id: PATIENT },
    messaging_type: 'RESPONSE',
    appsecret_proof: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  expect(request!.rawBody).not.toContain(PAGE_TOKEN);
});

test('staff outside 24 hours but within 7 days send with the HUMAN_AGENT tag', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(50));
  const result = await sender.send(
    outbound({ author: 'staff', lastInboundAt: hoursAgo(50), text: 'Hi, this is Dana from the front desk.' }),
  );
  expect(result.status).toBe('sent');
  expect(graph.messages).toEqual([expect.objectContaining({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })]);
});

test('the bot outside 24 hours is window_closed without calling Graph; so is staff after 7 days', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(25));
  expect(await sendError(outbound({ author: 'bot', lastInboundAt: hoursAgo(25) }))).toMatchObject({
    kind: 'window_closed',
  });
  expect(await sendError(outbound({ author: 'staff', lastInboundAt: hoursAgo(8 * 24) }))).toMatchObject({
    kind: 'window_closed',
  });
  expect(graph.requests).toHaveLength(0);
});

test("Graph's own window refusal (our last_inbound_at was newer than Meta's) maps to window_closed 10/2018278", async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(30));
  const error = await sendError(outbound({ lastInboundAt: hoursAgo(1) }));
  expect(error).toMatchObject({ kind: 'window_closed', providerCode: '10/2018278' });
  expect(graph.requests).toHaveLength(1);
  expect(graph.messages).toHaveLength(0);
});

test('a user who is unavailable or unknown is an invalid recipient', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  graph.markUnavailable(PATIENT);
  expect(await sendError(outbound())).toMatchObject({ kind: 'invalid_recipient', providerCode: '551/1545041' });
  expect(await sendError(outbound({ recipient: '7200000000000999' }))).toMatchObject({
    kind: 'invalid_recipient',
    providerCode: '100/2018001',
  });
});

test('a wrong token (190) or a wrong app secret (bad appsecret_proof) is rejected, and the error quotes neither', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  const wrongToken = new MessengerSender(
    { pageAccessToken: 'EAAwrong-token', appSecret: APP_SECRET, graphBaseUrl: graph.baseUrl },
    { now: () => clock },
  );
  const tokenError = await sendError(outbound(), wrongToken);
  expect(tokenError).toMatchObject({ kind: 'rejected', providerCode: '190' });
  expect(tokenError.message).not.toContain('EAAwrong-token');
  const wrongSecret = new MessengerSender(
    { pageAccessToken: PAGE_TOKEN, appSecret: 'another-secret', graphBaseUrl: graph.baseUrl },
    { now: () => clock },
  );
  expect(await sendError(outbound(), wrongSecret)).toMatchObject({ kind: 'rejected', providerCode: '100' });
  expect(graph.messages).toHaveLength(0);
});

test.each([4, 32, 613] as const)('rate limit %i is transient', async (code) => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  graph.scriptAnswers(graphErrors.rateLimited(code));
  expect(await sendError(outbound())).toMatchObject({ kind: 'transient', providerCode: String(code) });
});

test('500 twice then success: two transient failures, then exactly one message', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  graph.scriptAnswers(graphErrors.serverError(), { status: 503, body: '<html>upstream unavailable</html>' });
  expect(await sendError(outbound())).toMatchObject({ kind: 'transient', providerCode: '2' });
  expect(await sendError(outbound())).toMatchObject({ kind: 'transient', providerCode: 'http_503' });
  expect(await sender.send(outbound())).toMatchObject({ status: 'sent' });
  expect(graph.requests).toHaveLength(3);
  expect(graph.messages).toHaveLength(1);
});

test('a dropped connection or nothing listening is transient', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  graph.scriptAnswers('disconnect');
  expect(await sendError(outbound())).toMatchObject({ kind: 'transient', providerCode: undefined });
  const nowhere = new MessengerSender(
    { pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, graphBaseUrl: `http://127.0.0.1:${await findFreePort()}` },
    { now: () => clock },
  );
  expect(await sendError(outbound(), nowhere)).toMatchObject({ kind: 'transient' });
});

test('an answer that never comes times out as transient', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  graph.scriptAnswers('hang');
  const impatient = new MessengerSender(
    { pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, graphBaseUrl: graph.baseUrl, requestTimeoutMs: 200 },
    { now: () => clock },
  );
  expect(await sendError(outbound(), impatient)).toMatchObject({ kind: 'transient' });
});

test('text over 2000 characters is too_long and empty text rejected, before any call', async () => {
  graph.setLastUserMessageAt(PATIENT, hoursAgo(1));
  expect(await sendError(outbound({ text: 'a'.repeat(2001) }))).toMatchObject({ kind: 'too_long' });
  expect(await sendError(outbound({ text: '   ' }))).toMatchObject({ kind: 'rejected' });
  expect(graph.requests).toHaveLength(0);
  expect(await sender.send(outbound({ text: 'é'.repeat(2000) }))).toMatchObject({ status: 'sent' });
});
