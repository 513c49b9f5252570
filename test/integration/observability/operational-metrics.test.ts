/**
 * What operators alert on is measured (issue 9): webhook deliveries by provider and outcome, the age of the oldest
 * job a queue holds, conversations waiting for staff and dead-lettered messages, all on /metrics; and /readyz stops
 * saying ready once a graceful stop has begun.
 */
import { createHealthRouter } from '../../../src/http/health-routes';
import { type App, createApp } from '../../../src/app';
import { runCli } from '../../support/run-cli';
import { waitFor } from '../../support/wait-for';
import {
  PATIENT_NUMBER,
  type TwilioProductSetup,
  postForm,
  postInboundMessage,
  setUpTwilioProduct,
  startHttpApp,
} from '../twilio/twilio-test-kit';

/** The server's clock runs two minutes ahead, so a job queued now is two minutes old to it. */
const AHEAD_MS = 120_000;
let setup: TwilioProductSetup;
let app: App | undefined;
let base: string;

beforeAll(async () => {
  // Production: no WhatsApp sender is configured, so a WhatsApp reply is dead-lettered (`no_sender`) at once.
  setup = await setUpTwilioProduct({ NODE_ENV: 'production' });
  expect(await runCli(setup.environment.env, 'seed-demo')).toMatchObject({ code: 0 });
  app = await createApp(setup.environment.config, {
    logDestination: { write: () => undefined },
    now: () => new Date(Date.now() + AHEAD_MS),
  });
  base = `http://127.0.0.1:${await app.listen(setup.port)}`; // no workers yet: what arrives waits in the queue
});

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
});

/** The value of one series, e.g. `concierge_webhooks_total{provider="twilio",outcome="accepted"}`, or undefined. */
async function series(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('webhooks are counted by provider and outcome, and a message no worker has taken shows its age', async () => {
  const url = `${setup.publicUrl}/webhooks/twilio/messaging`;
  const forged = { signedUrl: url, authToken: 'not-the-auth-token' };
  expect((await postForm(url, 'From=%2B15555550123&Body=hi', forged)).status).toBe(403);
  expect((await postInboundMessage(setup.publicUrl, PATIENT_NUMBER, 'where are you located?')).status).toBe(200);

  expect(await series('concierge_webhooks_total', { provider: 'twilio', outcome: 'forbidden' })).toBe(1);
  expect(await series('concierge_webhooks_total', { provider: 'twilio', outcome: 'accepted' })).toBe(1);
  expect(await series('concierge_queue_jobs', { queue: 'process-inbound', state: 'waiting' })).toBe(1);
  const age = await series('concierge_queue_oldest_waiting_seconds', { queue: 'process-inbound' });
  expect(age).toBeGreaterThanOrEqual(AHEAD_MS / 1000 - 5);
  expect(await series('concierge_queue_oldest_waiting_seconds', { queue: 'send-outbound' })).toBe(0);
  expect(await series('concierge_http_request_duration_seconds_count', { route: '/webhooks/twilio/messaging' })).toBe(
    2,
  );
});

test('once workers run: the queue empties, a request for a person waits for staff, a reply with no sender is a dead letter', async () => {
  await app!.startWorkers();
  const replies = () => setup.twilioApi.accepted().filter((request) => request.params.To === PATIENT_NUMBER);
  await waitFor(() => replies().length >= 1, 20_000, 'the reply to the first message');
  expect(await series('concierge_queue_oldest_waiting_seconds', { queue: 'process-inbound' })).toBe(0);

  await postInboundMessage(setup.publicUrl, PATIENT_NUMBER, 'can I talk to a real person?');
  await waitFor(
    async () => ((await series('concierge_handoffs_waiting', { department: 'front_desk' })) ?? 0) >= 1,
    20_000,
    'a conversation waiting for the front desk',
  );

  expect(await series('concierge_outbound_dead_letters', { channel: 'whatsapp' })).toBeUndefined();
  await postInboundMessage(setup.publicUrl, 'whatsapp:+15555550124', 'where are you located?');
  await waitFor(
    async () => await series('concierge_outbound_dead_letters', { channel: 'whatsapp' }),
    20_000,
    'the WhatsApp reply dead-lettered',
  );
  expect(await series('concierge_outbound_dead_letters', { channel: 'whatsapp' })).toBe(1);
});

test('/readyz answers 503 once a graceful stop has begun, so balancers move traffic away while it drains', async () => {
  const probe = await startHttpApp((_logger, metrics) => [
    createHealthRouter({
      db: app!.database.db,
      redis: app!.redis.client,
      metrics,
      refreshGauges: async () => undefined,
      stopping: () => true,
    }),
  ]);
  try {
    const response = await fetch(`${probe.baseUrl}/readyz`);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 503,
      body: { status: 'stopping' },
    });
    expect((await fetch(`${probe.baseUrl}/healthz`)).status).toBe(200);
  } finally {
    await probe.close();
  }
});
