/**
 * The fake Dialogflow server speaks the real protocol: the real `SessionsClient` from `@google-cloud/dialogflow`,
 * unchanged, reaches it over gRPC (an insecure channel and a pass-through auth client are the only test settings),
 * gets answers from our local model, and sees the failures the fake is told to simulate with their gRPC codes.
 */
import * as grpc from '@grpc/grpc-js';
import { SessionsClient, type protos } from '@google-cloud/dialogflow';
import { PassThroughClient } from 'google-auth-library';
import { createLocalNluEngine } from '../../../src/nlu/local-nlu-engine';
import { INTENTS_DIR } from '../../../src/project-paths';
import { decodeStruct } from '../../../src/nlu/dialogflow/protobuf-struct';
import { DialogflowServer, FALLBACK_INTENT } from '../../fakes/dialogflow/dialogflow-server';
import { localModelAnswers } from '../../fakes/dialogflow/local-model-answers';

type DetectIntentRequest = protos.google.cloud.dialogflow.v2.IDetectIntentRequest;

/** google-gax retries DetectIntent on UNAVAILABLE until its 220 s timeout unless told otherwise. */
const WITHOUT_RETRIES = { retry: { retryCodes: [] } };

const PROJECT = 'test-project';
const startedClients: SessionsClient[] = [];
let server: DialogflowServer;
let client: SessionsClient;
let session: string;

function createClient(port: number): SessionsClient {
  const created = new SessionsClient({
    apiEndpoint: '127.0.0.1',
    port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(),
  });
  startedClients.push(created);
  return created;
}

function textQuery(text: string, languageCode = 'en-US'): DetectIntentRequest {
  return { session, queryInput: { text: { text, languageCode } } };
}

beforeAll(async () => {
  const engine = createLocalNluEngine(INTENTS_DIR);
  await engine.train();
  server = await DialogflowServer.start({ answer: localModelAnswers(engine) });
  client = createClient(server.port);
  session = client.projectAgentSessionPath(PROJECT, 'conv-123');
}, 60_000);

afterEach(() => {
  server.setDelay(0);
  server.setFailing(undefined);
});

afterAll(async () => {
  await Promise.all(startedClients.map((started) => started.close()));
  await server?.stop();
});

test('the real client gets faq.hours from the local model over gRPC, and the server records the call', async () => {
  const contextName = `${session}/contexts/booking-flow`;
  const [response] = await client.detectIntent({
    ...textQuery('what are your hours?'),
    queryParams: {
      contexts: [
        {
          name: contextName,
          lifespanCount: 3,
          parameters: { fields: { step: { stringValue: 'choose-slot' }, attempt: { numberValue: 1 } } },
        },
      ],
    },
  });

  const result = response.queryResult!;
  expect(response.responseId).toMatch(/^[0-9a-f-]{36}$/);
  expect(result.queryText).toBe('what are your hours?');
  expect(result.languageCode).toBe('en-US');
  expect(result.intent).toMatchObject({ displayName: 'faq.hours', isFallback: false });
  expect(result.intent?.name).toMatch(/^projects\/test-project\/agent\/intents\/[0-9a-f-]{36}$/);
  expect(result.intentDetectionConfidence).toBeGreaterThan(0.4);
  expect(result.intentDetectionConfidence).toBeLessThanOrEqual(1);
  expect(result.outputContexts?.map((c) => ({ ...c, parameters: decodeStruct(c.parameters) }))).toEqual([
    { name: contextName, lifespanCount: 2, parameters: { step: 'choose-slot', attempt: 1 } },
  ]);

  const call = server.calls.at(-1)!;
  expect(call).toMatchObject({ session, text: 'what are your hours?', languageCode: 'en-US' });
  expect(session).toBe('projects/test-project/agent/sessions/conv-123');
  expect(call.contexts).toEqual([
    { name: contextName, lifespanCount: 3, parameters: { step: 'choose-slot', attempt: 1 } },
  ]);
  expect(call.receivedAt.getTime()).toBeLessThanOrEqual(Date.now());
  expect(call.deadline!.getTime()).toBeGreaterThan(call.receivedAt.getTime());
  // gRPC, not the REST fallback: google-gax names its transport in x-goog-api-client.
  expect(call.apiClient).toMatch(/\bgrpc\/\d/);
  expect(call.apiClient).not.toMatch(/\brest\//);
});

test('Spanish is classified with the Spanish model, and the same intent keeps the same id', async () => {
  const [cancel] = await client.detectIntent(textQuery('quiero cancelar mi cita', 'es-US'));
  expect(cancel.queryResult?.intent?.displayName).toBe('appointment.cancel');
  expect(cancel.queryResult?.languageCode).toBe('es-US');

  const [again] = await client.detectIntent(textQuery('necesito cancelar la cita del viernes', 'es-US'));
  expect(again.queryResult?.intent?.name).toBe(cancel.queryResult?.intent?.name);
  expect(server.calls.at(-1)).toMatchObject({ languageCode: 'es-US' });
});

test('out-of-scope text gets the fallback intent', async () => {
  const [response] = await client.detectIntent(textQuery('blorp zindle quaxing frobnitz'));
  expect(response.queryResult?.intent).toMatchObject({ displayName: FALLBACK_INTENT, isFallback: true });
});

test('recognized entities arrive as Dialogflow-style parameters in a Struct', async () => {
  const [response] = await client.detectIntent(textQuery('can I come next tuesday at 4 pm'));
  const parameters = response.queryResult?.parameters;
  expect(parameters?.fields?.['date-time']).toMatchObject({ kind: 'stringValue' });
  expect(decodeStruct(parameters)).toEqual({ 'date-time': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T16:00:00$/) });
});

test('every kind of Struct value, output contexts and fulfillment text survive the wire', async () => {
  const canned = await DialogflowServer.start({
    answer: () => ({
      intent: 'appointment.book',
      confidence: 0.87,
      parameters: {
        'given-name': 'Alex',
        number: 2,
        urgent: false,
        nothing: null,
        slots: ['09:00', 10.5],
        'date-period': { startDate: '2030-01-07', endDate: '2030-01-13' },
        at: new Date('2030-01-08T15:00:00Z'),
      },
      outputContexts: [{ name: 'booking', lifespanCount: 5, parameters: { slot: '09:00' } }],
      fulfillmentText: 'Which time suits you?',
    }),
  });
  try {
    const [response] = await createClient(canned.port).detectIntent(textQuery('book me in'));
    const result = response.queryResult!;
    expect(result.intentDetectionConfidence).toBeCloseTo(0.87, 5);
    expect(result.fulfillmentText).toBe('Which time suits you?');
    expect(result.parameters?.fields?.slots).toMatchObject({ kind: 'listValue' });
    expect(decodeStruct(result.parameters)).toEqual({
      'given-name': 'Alex',
      number: 2,
      urgent: false,
      nothing: null,
      slots: ['09:00', 10.5],
      'date-period': { startDate: '2030-01-07', endDate: '2030-01-13' },
      at: '2030-01-08T15:00:00.000Z',
    });
    expect(result.outputContexts?.map((c) => ({ ...c, parameters: decodeStruct(c.parameters) }))).toEqual([
      { name: `${session}/contexts/booking`, lifespanCount: 5, parameters: { slot: '09:00' } },
    ]);
  } finally {
    await canned.stop();
  }
});

test('requests Dialogflow would refuse fail with INVALID_ARGUMENT', async () => {
  const invalid = { code: grpc.status.INVALID_ARGUMENT };
  await expect(client.detectIntent({ ...textQuery('hi'), session: 'conv-123' })).rejects.toMatchObject(invalid);
  await expect(client.detectIntent(textQuery('bonjour', 'fr-FR'))).rejects.toMatchObject(invalid);
  const foreignContext = { name: 'projects/test-project/agent/sessions/other/contexts/x', lifespanCount: 1 };
  await expect(
    client.detectIntent({ ...textQuery('hi'), queryParams: { contexts: [foreignContext] } }),
  ).rejects.toMatchObject(invalid);
});

test('an answer later than the client deadline fails with DEADLINE_EXCEEDED', async () => {
  server.setDelay(1_000);
  const started = Date.now();
  await expect(client.detectIntent(textQuery('what are your hours?'), { timeout: 200 })).rejects.toMatchObject({
    code: grpc.status.DEADLINE_EXCEEDED,
  });
  expect(Date.now() - started).toBeLessThan(900);
});

test('a failing server fails the call with its code', async () => {
  server.setFailing(grpc.status.UNAVAILABLE);
  await expect(client.detectIntent(textQuery('what are your hours?'), WITHOUT_RETRIES)).rejects.toMatchObject({
    code: grpc.status.UNAVAILABLE,
  });
  server.setFailing(grpc.status.PERMISSION_DENIED);
  await expect(client.detectIntent(textQuery('what are your hours?'))).rejects.toMatchObject({
    code: grpc.status.PERMISSION_DENIED,
  });
});

test('google-gax retries UNAVAILABLE by default: one failure is hidden, a lasting one ends at the deadline', async () => {
  const before = server.calls.length;
  server.failNext(grpc.status.UNAVAILABLE);
  const [response] = await client.detectIntent(textQuery('what are your hours?'));
  expect(response.queryResult?.intent?.displayName).toBe('faq.hours');
  expect(server.calls.length - before).toBe(2);

  server.setFailing(grpc.status.UNAVAILABLE);
  await expect(client.detectIntent(textQuery('what are your hours?'), { timeout: 500 })).rejects.toMatchObject({
    code: grpc.status.DEADLINE_EXCEEDED,
  });
});

test('stop() cancels a call still running, then calls fail with UNAVAILABLE', async () => {
  const stopping = await DialogflowServer.start({ answer: () => ({ intent: 'faq.hours', confidence: 1 }) });
  const stoppingClient = createClient(stopping.port);
  await stoppingClient.detectIntent(textQuery('what are your hours?'));
  stopping.setDelay(30_000);
  const running = stoppingClient.detectIntent(textQuery('what are your hours?'), WITHOUT_RETRIES);
  const outcome = running.then(
    () => 'answered',
    (error: { code?: number }) => error.code,
  );
  while (stopping.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));

  const started = Date.now();
  await stopping.stop();
  expect(Date.now() - started).toBeLessThan(2_000);
  // The stream is reset (CANCELLED here); UNAVAILABLE, had the connection dropped first, would say the same.
  expect([grpc.status.CANCELLED, grpc.status.UNAVAILABLE]).toContain(await outcome);
  await expect(stoppingClient.detectIntent(textQuery('what are your hours?'), WITHOUT_RETRIES)).rejects.toMatchObject({
    code: grpc.status.UNAVAILABLE,
  });
});
