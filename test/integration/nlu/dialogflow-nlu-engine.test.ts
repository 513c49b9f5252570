/**
 * The Dialogflow adapter against the Dialogflow-compatible gRPC fake, through the real `SessionsClient` set up the
 * way the product sets it up for an endpoint on this machine: intents and languages, sessions derived from the
 * conversation, masked text, parameters decoded into entities, contexts carried between turns, fallback and low
 * confidence as `none`, the deadline.
 */
import * as grpc from '@grpc/grpc-js';
import { DialogflowNluEngine, MAX_QUERY_LENGTH, sessionIdOf } from '../../../src/nlu/dialogflow/dialogflow-nlu-engine';
import { createSessionsClient } from '../../../src/nlu/dialogflow/sessions-client';
import { createLocalNluEngine } from '../../../src/nlu/local-nlu-engine';
import type { NluEngine } from '../../../src/nlu/nlu-engine';
import { INTENTS_DIR } from '../../../src/project-paths';
import { type AnswerDetectIntent, DialogflowServer, FALLBACK_INTENT } from '../../fakes/dialogflow/dialogflow-server';
import { localModelAnswers } from '../../fakes/dialogflow/local-model-answers';

const PROJECT = 'test-project';
/** A Tuesday, so "next tuesday" is a week away. */
const NOW = new Date('2026-11-24T15:00:00Z');

let server: DialogflowServer;
let engine: DialogflowNluEngine;
let localAnswers: AnswerDetectIntent;
let answer: AnswerDetectIntent;

beforeAll(async () => {
  const local: NluEngine = createLocalNluEngine(INTENTS_DIR);
  await local.train();
  localAnswers = localModelAnswers(local);
  server = await DialogflowServer.start({ answer: (call) => answer(call) });
  engine = new DialogflowNluEngine({
    client: createSessionsClient({ apiEndpoint: `127.0.0.1:${server.port}` }),
    projectId: PROJECT,
    deadlineMs: 1500,
    now: () => NOW,
  });
}, 60_000);

beforeEach(() => {
  answer = localAnswers;
  server.calls.length = 0;
});

afterEach(() => server.setDelay(0));

afterAll(async () => {
  await engine?.close();
  await server?.stop();
});

const conversation = (conversationId: string) => ({ conversationId });

describe('intents and languages', () => {
  it('answers with the agent intent, asking in en-US or es-US by the language given or guessed', async () => {
    const hours = await engine.parse('what are your hours?', undefined, conversation('c-1'));
    expect(hours).toMatchObject({ intent: 'faq.hours', lang: 'en' });
    expect(hours.confidence).toBeGreaterThan(0.4);
    const cancel = await engine.parse('quiero cancelar mi cita', undefined, conversation('c-1'));
    expect(cancel).toMatchObject({ intent: 'appointment.cancel', lang: 'es' });
    expect(server.calls.map((call) => [call.text, call.languageCode])).toEqual([
      ['what are your hours?', 'en-US'],
      ['quiero cancelar mi cita', 'es-US'],
    ]);
  });

  it('maps the fallback intent and a low confidence to none', async () => {
    answer = () => ({ intent: FALLBACK_INTENT, confidence: 0.9 });
    expect(await engine.parse('what is the capital of peru', 'en')).toMatchObject({ intent: 'none' });
    answer = () => ({ intent: 'faq.hours', confidence: 0.2 });
    const unsure = await engine.parse('hmm hours maybe', 'en');
    expect(unsure.intent).toBe('none');
    expect(unsure.confidence).toBeCloseTo(0.8);
  });
});

describe('sessions and minimum necessary', () => {
  it('derives one session per conversation from its id, never from the patient', async () => {
    await engine.parse('hello', 'en', conversation('conv-a'));
    await engine.parse('what are your hours?', 'en', conversation('conv-a'));
    await engine.parse('hello', 'en', conversation('conv-b'));
    await engine.parse('hello', 'en');
    const sessions = server.calls.map((call) => call.session);
    expect(sessions[0]).toBe(`projects/${PROJECT}/agent/sessions/${sessionIdOf(conversation('conv-a'))}`);
    expect(sessions[1]).toBe(sessions[0]);
    expect(sessions[2]).not.toBe(sessions[0]);
    expect(new Set(sessions).size).toBe(3);
    for (const session of sessions) expect(session).not.toMatch(/conv-|\+1|555/);
  });

  it('masks phones, emails, birth dates and record numbers and still gives the originals as entities', async () => {
    const text = 'my number is 555-201-3344, email test.patient@example.com, born 03/14/1962, member id ABC123456';
    const result = await engine.parse(text, 'en', conversation('c-2'));
    const sent = server.calls[0]!.text;
    expect(sent).toBe('my number is [phone], email [email], born [date], member id [number]');
    const phone = result.entities.find((entity) => entity.type === 'phone_number');
    expect(phone).toMatchObject({ text: '555-201-3344', value: '555-201-3344' });
    expect(text.slice(phone!.start, phone!.end)).toBe('555-201-3344');
    expect(result.entities.find((entity) => entity.type === 'email')?.text).toBe('test.patient@example.com');
  });

  it('sends at most the length Dialogflow accepts', async () => {
    await engine.parse(`what are your hours ${'please '.repeat(60)}`, 'en');
    expect(server.calls[0]!.text.length).toBe(MAX_QUERY_LENGTH);
  });

  it('answers an empty message itself', async () => {
    expect(await engine.parse('   ', 'en')).toMatchObject({ intent: 'none', entities: [] });
    expect(server.calls).toHaveLength(0);
  });
});

describe('parameters', () => {
  it('decodes the Struct into entities placed on the words they came from', async () => {
    const text = 'can I come next tuesday at 4pm? we are 2 people';
    const result = await engine.parse(text, 'en', conversation('c-3'));
    const dateTime = result.entities.find((entity) => entity.type === 'datetime');
    expect(dateTime).toMatchObject({
      text: 'next tuesday at 4pm',
      value: { subtype: 'datetime', resolutions: [{ type: 'datetime', value: '2026-12-01 16:00:00' }] },
    });
    expect(text.slice(dateTime!.start, dateTime!.end)).toBe('next tuesday at 4pm');
    expect(result.entities.find((entity) => entity.type === 'number')).toMatchObject({ text: '2', value: 2 });
  });

  it('reads Dialogflow date periods, dates with offsets and custom entities', async () => {
    answer = () => ({
      intent: 'appointment.book',
      confidence: 0.9,
      parameters: {
        'date-period': { startDate: '2026-12-07T00:00:00-05:00', endDate: '2026-12-13T23:59:59-05:00' },
        date: '2026-12-01T12:00:00-05:00',
        'visit-type': 'physical',
        'unused-optional': '',
      },
    });
    const text = 'a physical next week, maybe tuesday';
    const result = await engine.parse(text, 'en');
    const byType = (type: string) => result.entities.filter((entity) => entity.type === type);
    expect(byType('datetime').map((entity) => entity.value)).toEqual(
      expect.arrayContaining([
        { subtype: 'daterange', resolutions: [expect.objectContaining({ start: '2026-12-07', end: '2026-12-13' })] },
        { subtype: 'date', resolutions: [{ type: 'date', timex: '2026-12-01', value: '2026-12-01' }] },
      ]),
    );
    expect(byType('visit-type')).toEqual([
      { type: 'visit-type', value: 'physical', text: 'physical', start: 2, end: 10 },
    ]);
    expect(byType('unused-optional')).toEqual([]);
  });
});

describe('contexts', () => {
  it('carries output contexts to the next turn by name and life, leaving their parameters behind', async () => {
    answer = () => ({
      intent: 'appointment.book',
      confidence: 0.9,
      outputContexts: [{ name: 'booking-followup', lifespanCount: 2, parameters: { 'visit-type.original': 'words' } }],
    });
    const first = await engine.parse('I want to book', 'en', conversation('c-4'));
    expect(first.carry).toEqual({ contexts: [{ name: 'booking-followup', lifespanCount: 2 }] });
    expect(JSON.stringify(first.carry)).not.toContain('words');
    answer = localAnswers;
    const second = await engine.parse('tuesday', 'en', { conversationId: 'c-4', carried: first.carry });
    const session = server.calls[1]!.session;
    expect(server.calls[1]!.contexts).toEqual([
      { name: `${session}/contexts/booking-followup`, lifespanCount: 2, parameters: {} },
    ]);
    // The fake ages a context it was given by one turn, as Dialogflow does.
    expect(second.carry).toEqual({ contexts: [{ name: 'booking-followup', lifespanCount: 1 }] });
  });

  it('ignores a carried value that is not contexts', async () => {
    await engine.parse('hello', 'en', {
      conversationId: 'c-5',
      carried: { contexts: [{ name: '../x', lifespanCount: 1 }] },
    });
    expect(server.calls[0]!.contexts).toEqual([]);
  });
});

describe('deadline', () => {
  it('fails with DEADLINE_EXCEEDED once the deadline passes, without retrying', async () => {
    const hurried = new DialogflowNluEngine({
      client: createSessionsClient({ apiEndpoint: `127.0.0.1:${server.port}` }),
      projectId: PROJECT,
      deadlineMs: 200,
    });
    server.setDelay(2000);
    try {
      await expect(hurried.parse('what are your hours?', 'en')).rejects.toMatchObject({
        code: grpc.status.DEADLINE_EXCEEDED,
      });
      expect(server.calls).toHaveLength(1);
    } finally {
      await hurried.close();
    }
  });
});
