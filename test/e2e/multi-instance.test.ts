/**
 * The production layout scaled out on one machine (issue 9): two web processes and two worker processes
 * (`src/server.ts` with NODE_ENV=production runs no workers, `src/worker.ts` serves only health and metrics) share
 * PostgreSQL and Redis behind a round-robin TCP balancer that is the PUBLIC_URL Twilio signs and calls back.
 * Web chat replies are always produced by a worker process and reach the visitor on whichever web process holds the
 * socket; SMS round-trips through the balancer; SIGTERM to a worker in the middle of a burst finishes its turns and
 * exits, and every message is answered exactly once.
 */
import { type TwilioProductSetup, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';
import { findFreePort } from '../support/free-port';
import { type ProductProcess, type WorkerProcess, startProduct, startWorker } from '../support/product-process';
import { type RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy';
import { runCli } from '../support/run-cli';
import { waitFor } from '../support/wait-for';
import { type Frame, WebchatTestClient } from '../support/webchat-client';
import { burstMessages, burstNumbers, expectedReplies, postAll, repliesTo, totalReplies } from './support/sms-burst';

const CONVERSATIONS = 60;
const POSTS_IN_FLIGHT = 20;
/** A liveness bound for the burst, not a timing assertion (two workers on a 2-core CI machine). */
const BURST_TIMEOUT_MS = 200_000;

let setup: TwilioProductSetup | undefined;
let proxy: RoundRobinProxy | undefined;
/** Each process with its METRICS_PORT (/healthz, /readyz, /metrics; the web processes' public port has no /metrics). */
const webs: Array<{ process: ProductProcess; metricsPort: number }> = [];
const workers: Array<{ process: WorkerProcess; metricsPort: number }> = [];
const metricsOf = (entry: { metricsPort: number }) => `http://127.0.0.1:${entry.metricsPort}/metrics`;

beforeAll(async () => {
  setup = await setUpTwilioProduct({ NODE_ENV: 'production' });
  const env = setup.environment.env;
  expect(await runCli(env, 'seed-demo')).toMatchObject({ code: 0, stderr: '' });
  for (let index = 0; index < 2; index += 1) {
    const [port, webMetricsPort, workerMetricsPort] = [
      await findFreePort(),
      await findFreePort(),
      await findFreePort(),
    ];
    webs.push({
      process: await startProduct({ ...env, PORT: String(port), METRICS_PORT: String(webMetricsPort) }),
      metricsPort: webMetricsPort,
    });
    workers.push({
      process: await startWorker({ ...env, METRICS_PORT: String(workerMetricsPort) }),
      metricsPort: workerMetricsPort,
    });
  }
  // The balancer listens where PUBLIC_URL points.
  proxy = await startRoundRobinProxy(
    setup.port,
    webs.map((web) => web.process.port),
  );
}, 180_000);

afterAll(async () => {
  try {
    await proxy?.close();
    await Promise.all([...workers, ...webs].map((entry) => entry.process.stop()));
  } finally {
    await setup?.cleanup();
  }
}, 60_000);

/** A visitor's socket through the balancer, and the web process it reached. */
async function connectVisitor(): Promise<{ client: WebchatTestClient; webPort: number }> {
  const client = await WebchatTestClient.connect(`ws://127.0.0.1:${setup!.port}/webchat`);
  return { client, webPort: proxy!.routed.at(-1)! };
}

async function ask(client: WebchatTestClient, text: string, clientMsgId: string): Promise<Frame> {
  const before = client.botMessages().length;
  client.send({ type: 'message', clientMsgId, text });
  return (await client.waitForBotMessages(before + 1, 30_000))[before]!;
}

/** One counter's value summed over its series in a Prometheus text exposition. */
async function metricTotal(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

test('web chat: replies made by the workers reach visitors on either web process, and a visitor moving between them resumes', async () => {
  const first = await connectVisitor();
  const second = await connectVisitor();
  const third = await connectVisitor();
  expect(first.webPort).not.toBe(second.webPort);

  const welcome = await first.client.hello();
  await second.client.hello();
  await third.client.hello();
  expect(String((await ask(first.client, 'where are you located?', 'multi-loc-0001')).text)).toMatch(/1200 River Road/);
  expect(String((await ask(second.client, 'what is your fax number?', 'multi-fax-0001')).text)).toMatch(/fax/i);
  expect(String((await ask(third.client, 'where are you located?', 'multi-loc-0002')).text)).toMatch(/1200 River Road/);

  // The first visitor's page reloads: the new socket lands on the other web process and picks up the conversation.
  const seen = Number(first.client.frames.filter((frame) => frame.type === 'message').at(-1)!.seq);
  first.client.close();
  const moved = await connectVisitor();
  expect(moved.webPort).toBe(second.webPort);
  const rewelcome = await moved.client.hello(String(welcome.token), seen);
  expect(rewelcome.conversationId).toBe(welcome.conversationId);
  const answer = await ask(moved.client, 'do you take medicare?', 'multi-med-0001');
  expect(String(answer.text)).toMatch(/Medicare/);
  expect(Number(answer.seq)).toBeGreaterThan(seen);
  for (const client of [moved.client, second.client, third.client]) client.close();

  // Every turn ran in a worker process; the web processes only took messages in and pushed replies out.
  const webTurns = await Promise.all(webs.map((web) => metricTotal(metricsOf(web), 'concierge_turns_total')));
  const workerTurns = await Promise.all(
    workers.map((worker) => metricTotal(metricsOf(worker), 'concierge_turns_total')),
  );
  expect(webTurns).toEqual([0, 0]);
  // What the balancer exposes has no metrics: they are on METRICS_PORT only.
  expect((await fetch(`${setup!.publicUrl}/metrics`)).status).toBe(404);
  expect(workerTurns.reduce((sum, turns) => sum + turns, 0)).toBeGreaterThanOrEqual(3);
}, 120_000);

test('SMS through the balancer: signed webhooks and status callbacks reach both web processes, replies reach Twilio', async () => {
  const routedBefore = proxy!.routed.length;
  // Each webhook on a connection of its own, so the balancer spreads them over both web processes.
  const expected = await expectedReplies(setup!.twilioApi, setup!.publicUrl, '+15555550199', true);
  expect(expected.join('\n')).toMatch(/fax/i);
  expect(expected.join('\n')).toMatch(/1200 River Road/);
  const routed = proxy!.routed.slice(routedBefore);
  expect(new Set(routed)).toEqual(new Set(webs.map((web) => web.process.port)));
  // Twilio's status callbacks came back through the balancer and were verified and applied.
  await waitFor(
    async () => (await metricTotal(metricsOf(webs[0]!), 'concierge_webhooks_total')) > 0,
    20_000,
    'webhook metrics on the first web process',
  );
}, 120_000);

test('SIGTERM to a worker mid-burst: it finishes its turns and exits; every message is answered exactly once', async () => {
  const api = setup!.twilioApi;
  const expected = repliesTo(api, '+15555550199');
  expect(expected.length).toBeGreaterThanOrEqual(3);

  const numbers = burstNumbers(CONVERSATIONS, 300);
  const posting = postAll(setup!.publicUrl, burstMessages(numbers), POSTS_IN_FLIGHT);
  await waitFor(() => totalReplies(api, numbers) >= CONVERSATIONS / 2, 90_000, 'the first replies of the burst');
  const [leaving, staying] = workers;
  const repliesAtStop = totalReplies(api, numbers);
  await leaving!.process.stop(30_000);
  expect({
    exitCode: leaving!.process.exitCode,
    log: leaving!.process.output().includes('"signal":"SIGTERM"'),
  }).toEqual({
    exitCode: 0,
    log: true,
  });
  expect(repliesAtStop).toBeLessThan(CONVERSATIONS * expected.length); // the SIGTERM came inside the burst
  await posting;

  await waitFor(
    () => totalReplies(api, numbers) >= CONVERSATIONS * expected.length,
    BURST_TIMEOUT_MS,
    'every reply of the burst',
  );
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // nothing more arrives afterwards
  for (const number of numbers)
    expect({ number, replies: repliesTo(api, number) }).toEqual({ number, replies: expected });
  expect(staying!.process.exitCode).toBeNull();
}, 400_000);
