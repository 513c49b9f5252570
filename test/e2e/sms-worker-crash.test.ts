/**
 * Exactly-once SMS replies across a worker crash, in the production layout: the web process (`src/server.ts`,
 * NODE_ENV=production, so it runs no workers) takes signed Twilio webhooks while a separate worker process
 * (`src/worker.ts`) answers them through the real twilio SDK pointed at the fake Twilio API. The worker is killed
 * with SIGKILL in the middle of a burst of 300 messages across 100 conversations and started again: every message
 * is answered exactly once, in order per conversation (acceptance of issue 3).
 */
import { type TwilioProductSetup, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';
import { type ProductProcess, type WorkerProcess, startProduct, startWorker } from '../support/product-process';
import { runCli } from '../support/run-cli';
import { waitFor } from '../support/wait-for';
import { burstMessages, burstNumbers, expectedReplies, postAll, repliesTo, totalReplies } from './support/sms-burst';

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
  expect(await runCli(env, 'seed-demo')).toMatchObject({ code: 0, stderr: '' });
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

test('a worker killed mid-burst answers all 300 messages exactly once, in order per conversation, after a restart', async () => {
  const api = setup!.twilioApi;
  const expected = await expectedReplies(api, setup!.publicUrl, '+15555550199');
  expect(expected.length).toBeGreaterThanOrEqual(3);

  // The burst: question 1 from every number, then question 2, then question 3; the worker dies partway.
  const numbers = burstNumbers(CONVERSATIONS, 200);
  const burstReplies = () => totalReplies(api, numbers);
  const posting = postAll(setup!.publicUrl, burstMessages(numbers), POSTS_IN_FLIGHT);
  await waitFor(() => burstReplies() >= REPLIES_BEFORE_KILL, 60_000, 'the first replies of the burst');
  await worker!.kill();
  const repliedBeforeKill = burstReplies();
  await posting; // the web process went on acknowledging while the worker was dead
  expect(repliedBeforeKill).toBeLessThan(CONVERSATIONS * expected.length); // the kill did interrupt the burst

  worker = await startWorker(env);
  await waitFor(
    () => burstReplies() >= CONVERSATIONS * expected.length,
    RECOVERY_TIMEOUT_MS,
    'every reply of the burst',
  );
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // nothing more arrives afterwards

  // Exactly the warm-up's replies, in the same order, for every conversation: none lost, none doubled.
  for (const number of numbers)
    expect({ number, replies: repliesTo(api, number) }).toEqual({ number, replies: expected });
}, 400_000);
