/**
 * Exactly-once in effect across a crash (DESIGN §3): the product (`npm start`) is killed with SIGKILL while
 * a visitor's messages are in flight, then started again on the same database and Redis. Every message the server
 * acknowledged before dying is in the transcript once and gets exactly one answer, nothing is answered twice, and the
 * conversation goes on.
 */
import { findFreePort } from '../support/free-port';
import { type ProductProcess, startProduct } from '../support/product-process';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { waitFor } from '../support/wait-for';
import { type Frame, WebchatTestClient } from '../support/webchat-client';

/** Questions with one answer each, recognisable by a pattern no other answer here matches. */
const QUESTIONS: ReadonlyArray<{ readonly text: string; readonly answer: RegExp }> = [
  { text: 'do you have parking?', answer: /parking/i },
  { text: 'what is your fax number?', answer: /Fax: \(555\) 010-2001/ },
  { text: 'where are you located?', answer: /1200 River Road/ },
  { text: 'are you accepting new patients?', answer: /accepting new patients/ },
  { text: 'do you take medicare?', answer: /Medicare/ },
  { text: 'what are your hours?', answer: /Our hours/ },
];
/** Kill the server the moment it has acknowledged this many of the burst (the rest are still in flight). */
const ACKS_BEFORE_KILL = 3;
/**
 * A liveness bound, not a timing assertion. A turn whose job was active at the kill comes back only when BullMQ finds
 * the job stalled (30 s lock, 30 s check interval: about 60 s after the restart); the recovery sweeper cannot speed
 * that up, because re-adding a job under the same id is a no-op while the stalled job still exists.
 */
const RECOVERY_TIMEOUT_MS = 150_000;

let environment: TestEnvironment | undefined;
let product: ProductProcess | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  env = { ...environment.env, PORT: String(await findFreePort()) };
  product = await startProduct(env, { readyTimeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  try {
    await product?.stop();
  } finally {
    await environment?.cleanup();
  }
}, 60_000);

function socketUrl(): string {
  if (!product) throw new Error('the product is not running');
  return `ws://127.0.0.1:${product.port}/webchat`;
}

function messagesOf(frames: readonly Frame[], role: 'patient' | 'bot'): Frame[] {
  return frames
    .filter((frame) => frame.type === 'message' && frame.role === role)
    .sort((a, b) => Number(a.seq) - Number(b.seq));
}

/**
 * Resolves on the turn of the event loop right after a frame makes `predicate` true, so the caller reacts before the
 * next frame is handled (a 50 ms poll would let answers arrive meanwhile).
 */
function whenFrames(
  client: WebchatTestClient,
  predicate: (frames: readonly Frame[]) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate(client.frames)) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out waiting for frames'));
      setImmediate(check);
    };
    check();
  });
}

test('messages acknowledged before a SIGKILL are answered exactly once after a restart', async () => {
  // 1. A normal exchange.
  const first = await WebchatTestClient.connect(socketUrl());
  const welcome = await first.hello();
  expect(welcome.type).toBe('welcome');
  first.send({ type: 'message', clientMsgId: 'warmup-0001', text: 'what is your phone number?' });
  const [warmupAnswer] = await first.waitForBotMessages(1, 20_000);
  expect(String(warmupAnswer!.text)).toMatch(/\(555\) 010-2000/);

  // 2. A burst of questions; the server dies (SIGKILL, whole process) as soon as it has acknowledged a few.
  const burstIds = QUESTIONS.map((_, index) => `crash-burst-${index}`);
  QUESTIONS.forEach((question, index) =>
    first.send({ type: 'message', clientMsgId: burstIds[index]!, text: question.text }),
  );
  const burstAcks = (frames: readonly Frame[]) =>
    frames.filter((frame) => frame.type === 'ack' && burstIds.includes(String(frame.clientMsgId)));
  await whenFrames(first, (frames) => burstAcks(frames).length >= ACKS_BEFORE_KILL, 20_000);
  await product!.kill();
  const acknowledged = burstAcks(first.frames).map((ack) => String(ack.clientMsgId));
  const answeredBeforeKill = messagesOf(first.frames, 'bot').length - 1;
  first.close();
  expect(acknowledged.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  expect(answeredBeforeKill).toBeLessThan(QUESTIONS.length); // the kill did interrupt the burst

  // 3. The same product, same database and Redis, started again; the visitor reconnects and replays from seq 0.
  product = await startProduct(env, { readyTimeoutMs: 60_000 });
  const second = await WebchatTestClient.connect(socketUrl());
  const rewelcome = await second.hello(String(welcome.token), 0);
  expect(rewelcome).toMatchObject({ type: 'welcome', conversationId: welcome.conversationId });

  // Every patient message that made it into the transcript (acknowledged or not) eventually gets its answer.
  const settled = await waitFor(
    () => {
      const patient = messagesOf(second.frames, 'patient');
      const replayed = acknowledged.every((id) => patient.some((frame) => frame.clientMsgId === id));
      return replayed && messagesOf(second.frames, 'bot').length >= patient.length ? second.frames.slice() : undefined;
    },
    RECOVERY_TIMEOUT_MS,
    'an answer to every stored message',
  );

  const patient = messagesOf(settled, 'patient');
  const bot = messagesOf(settled, 'bot');
  const seqs = settled.filter((frame) => frame.type === 'message').map((frame) => Number(frame.seq));
  expect(new Set(seqs).size).toBe(seqs.length); // no message replayed twice

  // The warm-up exchange is intact and comes first.
  expect(patient[0]).toMatchObject({ text: 'what is your phone number?', clientMsgId: 'warmup-0001' });
  expect(String(bot[0]!.text)).toMatch(/\(555\) 010-2000/);

  // Each acknowledged message is in the transcript exactly once; nothing that was never sent appears.
  const burst = patient.slice(1);
  const storedIds = burst.map((frame) => String(frame.clientMsgId));
  for (const id of acknowledged) expect(storedIds.filter((stored) => stored === id)).toHaveLength(1);
  expect(new Set(storedIds).size).toBe(storedIds.length);
  for (const id of storedIds) expect(burstIds).toContain(id);

  // Exactly one answer per stored question, in question order, each after its question: none lost, none doubled.
  const burstAnswers = bot.slice(1);
  expect(burstAnswers).toHaveLength(burst.length);
  burst.forEach((question, index) => {
    const expected = QUESTIONS.find((candidate) => candidate.text === question.text)!;
    expect(String(burstAnswers[index]!.text)).toMatch(expected.answer);
    expect(Number(burstAnswers[index]!.seq)).toBeGreaterThan(Number(question.seq));
  });

  // 4. The conversation goes on.
  const before = messagesOf(second.frames, 'bot').length;
  second.send({ type: 'message', clientMsgId: 'after-crash-0001', text: 'do you have a fax number?' });
  expect(await second.next((frame) => frame.type === 'ack' && frame.clientMsgId === 'after-crash-0001')).toMatchObject({
    duplicate: false,
  });
  // A liveness bound: once under CI load this answer took over 20 s; the product's log says why if it never comes.
  const afterAnswers = await second.waitForBotMessages(before + 1, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${product?.output().split('\n').slice(-30).join('\n')}`);
  });
  expect(String(afterAnswers[before]!.text)).toMatch(/Fax: \(555\) 010-2001/);
  second.close();

  // 5. Turns run in order, so everything before that answer is final: a full replay shows one answer per message.
  const third = await WebchatTestClient.connect(socketUrl());
  await third.hello(String(welcome.token), 0);
  const total = patient.length + 1;
  await third.waitForBotMessages(total, 20_000);
  expect(messagesOf(third.frames, 'patient')).toHaveLength(total);
  expect(messagesOf(third.frames, 'bot')).toHaveLength(total);
  third.close();
}, 300_000);
