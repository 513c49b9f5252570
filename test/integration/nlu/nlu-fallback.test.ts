/**
 * Dialogflow slow or down never stalls a conversation: the local engine answers each message Dialogflow fails on
 * (metric and warning, no text), the circuit breaker keeps Dialogflow out after repeated failures, and a trial after
 * the cool-down brings it back once the endpoint answers again. Driven through the real client and the gRPC fake.
 */
import pino from 'pino';
import { Writable } from 'node:stream';
import { DialogflowNluEngine } from '../../../src/nlu/dialogflow/dialogflow-nlu-engine';
import { createSessionsClient } from '../../../src/nlu/dialogflow/sessions-client';
import { FallbackNluEngine } from '../../../src/nlu/fallback-nlu-engine';
import { LocalNluEngine } from '../../../src/nlu/local-nlu-engine';
import { loadTrainingData } from '../../../src/nlu/training-data';
import { createMetrics, type Metrics } from '../../../src/observability/metrics';
import { INTENTS_DIR } from '../../../src/project-paths';
import { DialogflowServer } from '../../fakes/dialogflow/dialogflow-server';
import { localModelAnswers } from '../../fakes/dialogflow/local-model-answers';
import { waitFor } from '../../support/wait-for';

const RESET_MS = 600;
const CANARY = 'Test Patient 555-201-3344';

let local: LocalNluEngine;
let server: DialogflowServer;
let engine: FallbackNluEngine;
let metrics: Metrics;
const logLines: string[] = [];

async function fallbacks(reason: string): Promise<number> {
  const metric = await metrics.nluFallbacks.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

beforeAll(async () => {
  local = new LocalNluEngine({ loadTrainingData: () => loadTrainingData(INTENTS_DIR) });
  server = await DialogflowServer.start({ answer: localModelAnswers(local) });
  metrics = createMetrics();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  engine = new FallbackNluEngine({
    primary: new DialogflowNluEngine({
      client: createSessionsClient({ apiEndpoint: `127.0.0.1:${server.port}` }),
      projectId: 'test-project',
      deadlineMs: 300,
    }),
    fallback: local,
    timeoutMs: 550,
    resetTimeoutMs: RESET_MS,
    metrics,
    logger: pino({ level: 'info' }, sink),
  });
  await engine.train();
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await server?.stop();
});

it('answers locally when Dialogflow is slower than its deadline', async () => {
  server.setDelay(2000);
  try {
    const result = await engine.parse('what are your hours?', 'en', { conversationId: 'slow' });
    expect(result).toMatchObject({ intent: 'faq.hours', lang: 'en' });
    expect(result.carry).toBeUndefined();
    expect(await fallbacks('timeout')).toBe(1);
  } finally {
    server.setDelay(0);
  }
});

it('answers through Dialogflow when it is up', async () => {
  const before = server.calls.length;
  const result = await engine.parse('quiero cancelar mi cita', undefined, { conversationId: 'up' });
  expect(result).toMatchObject({ intent: 'appointment.cancel', lang: 'es' });
  expect(result.carry).toEqual({ contexts: [] });
  expect(server.calls.length).toBe(before + 1);
});

it('falls back while the endpoint is down, opens the breaker, and resumes after the cool-down', async () => {
  const port = server.port;
  await server.stop();
  const unavailableBefore = await fallbacks('unavailable');
  const answers = [];
  for (const text of ['what are your hours?', 'quiero cancelar mi cita', 'what are your hours?', CANARY]) {
    answers.push((await engine.parse(text, undefined, { conversationId: 'down' })).intent);
  }
  expect(answers.slice(0, 3)).toEqual(['faq.hours', 'appointment.cancel', 'faq.hours']);
  expect(await fallbacks('unavailable')).toBeGreaterThan(unavailableBefore);
  expect(await fallbacks('circuit_open')).toBeGreaterThanOrEqual(1);
  expect((await metrics.nluBreakerOpen.get()).values[0]?.value).toBe(1);

  server = await DialogflowServer.start({ answer: localModelAnswers(local), port });
  // Once the cool-down passes, a trial request reaches the endpoint again and closes the breaker.
  await waitFor(
    async () => {
      await engine.parse('what are your hours?', 'en', { conversationId: 'back' });
      return server.calls.length > 0;
    },
    15_000,
    'Dialogflow in use again after the cool-down',
  );
  await waitFor(async () => (await metrics.nluBreakerOpen.get()).values[0]?.value === 0, 5_000, 'the breaker closed');
  const calls = server.calls.length;
  expect(await engine.parse('what are your hours?', 'en', { conversationId: 'back' })).toMatchObject({
    intent: 'faq.hours',
  });
  expect(server.calls.length).toBe(calls + 1);
}, 30_000);

it('logs each fallback without the words of the message', () => {
  const warnings = logLines.filter((line) => line.includes('understood locally'));
  expect(warnings.length).toBeGreaterThan(0);
  for (const line of logLines) {
    expect(line).not.toContain('555-201-3344');
    expect(line).not.toContain('Test Patient');
    expect(line).not.toContain('hours');
  }
  expect(JSON.parse(warnings[0]!)).toMatchObject({ provider: 'dialogflow', reason: 'timeout', code: 4 });
});
