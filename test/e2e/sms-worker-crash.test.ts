/**
 * Exactly-once SMS replies across a worker crash, in the production layout: the web process (`src/server.ts`,
 * NODE_ENV=production, so it runs no workers) takes signed Twilio webhooks while a separate worker process
 * (`src/worker.ts`) answers them through the real twilio SDK pointed at the fake Twilio API. The worker is killed
 * with SIGKILL in the middle of a burst of 300 messages across 100 conversations and started again: every message
 * is answered exactly once, in order per conversation (acceptance of issue 3).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { type TwilioProductSetup, postInboundMessage, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';
import { type ProductProcess, type WorkerProcess, startProduct, startWorker } from '../support/product-process';
import { waitFor } from '../support/wait-for';

const QUESTIONS = ['what is your fax number?', 'where are you located?', 'do you take medicare?'];
const CONVERSATIONS = 100;
/** The worker dies once this many replies of the burst have reached Twilio: well inside the burst. */
const REPLIES_BEFORE_KILL = 60;
/** Webhooks in flight at once, as Twilio would deliver a busy minute. */
const POSTS_IN_FLIGHT = 20;
/**
 * A liveness bound, not a timing assertion: jobs active at the kill come back when BullMQ finds them stalled, and a
 * send interrupted mid-call waits out the reconcile window (30 s) for its status callback before going again.
 */
const RECOVERY_TIMEOUT_MS = 200_000;

let setup: TwilioProductSetup | undefined;
let web: ProductProcess | undefined;
let worker: WorkerProcess | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  setup = await setUpTwilioProduct({ NODE_ENV: 'production' });
  env = setup.environment.env;
  // Production never seeds by itself: the operator runs the CLI.
  const seeded = spawnSync(process.execPath, [path.resolve(__dirname, '..', '..', 'bin', 'concierge.js'), 'seed-demo'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  expect(seeded.stderr).toBe('');
  web = await startProduct(env);
  worker = await startWorker(env);
}, 120_000);

afterAll(async () => {
  try {
    await worker?.stop();
    await web?.stop();
  } finally {
    await setup?.cleanup();
  }
}, 60_000);

async function textFrom(from: string, body: string): Promise<void> {
  expect((await postInboundMessage(setup!.publicUrl, from, body)).status).toBe(200);
}

const repliesTo = (to: string) => setup!.twilioApi.accepted().filter((request) => request.params.To === to).map((request) => String(request.params.Body));

/** Posts `messages` with at most POSTS_IN_FLIGHT at a time, each acknowledged before the next of its slot. */
async function postAll(messages: ReadonlyArray<{ from: string; body: string }>): Promise<void> {
  let next = 0;
  const slot = async () => {
    while (next < messages.length) {
      const message = messages[next++]!;
      await textFrom(message.from, message.body);
    }
  };
  await Promise.all(Array.from({ length: POSTS_IN_FLIGHT }, slot));
}

test('a worker killed mid-burst answers all 300 messages exactly once, in order per conversation, after a restart', async () => {
  // What one conversation asking the three questions gets, asked one at a time by a warm-up number.
  const warmup = '+15555550199';
  for (const [index, question] of QUESTIONS.entries()) {
    const before = repliesTo(warmup).length;
    await textFrom(warmup, question);
    await waitFor(() => repliesTo(warmup).length > before && repliesTo(warmup).length, 20_000, `the answer to question ${index}`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a long answer may come in parts
  }
  const expected = repliesTo(warmup);
  expect(expected.length).toBeGreaterThanOrEqual(QUESTIONS.length);

  // The burst: question 1 from every number, then question 2, then question 3; the worker dies partway.
  const numbers = Array.from({ length: CONVERSATIONS }, (_, index) => `+1555555${String(200 + index).padStart(4, '0')}`);
  const burstReplies = () => numbers.reduce((total, number) => total + repliesTo(number).length, 0);
  const posting = postAll(QUESTIONS.flatMap((body) => numbers.map((from) => ({ from, body }))));
  await waitFor(() => burstReplies() >= REPLIES_BEFORE_KILL, 60_000, 'the first replies of the burst');
  await worker!.kill();
  const repliedBeforeKill = burstReplies();
  await posting; // the web process went on acknowledging while the worker was dead
  expect(repliedBeforeKill).toBeLessThan(CONVERSATIONS * expected.length); // the kill did interrupt the burst

  worker = await startWorker(env);
  await waitFor(() => burstReplies() >= CONVERSATIONS * expected.length, RECOVERY_TIMEOUT_MS, 'every reply of the burst');
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // nothing more arrives afterwards

  // Exactly the warm-up's replies, in the same order, for every conversation: none lost, none doubled.
  for (const number of numbers) expect({ number, replies: repliesTo(number) }).toEqual({ number, replies: expected });
}, 400_000);
