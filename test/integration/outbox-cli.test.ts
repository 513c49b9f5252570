/**
 * `concierge outbox send` and `concierge outbox failed`, run as a user runs them (the CLI in a child process) against
 * a running product: an automated message goes through the same outbox rules as the bot's replies, so a contact who
 * texted STOP gets nothing, and the suppressed message is listed as failed, without its contents.
 */
import { type App, createApp } from '../../src/app';
import { nextSendingTime } from '../../src/compliance/quiet-hours';
import { DEMO_TIME_ZONE } from '../../src/practice/demo-practice';
import { type TwilioProductSetup, postInboundMessage, setUpTwilioProduct } from './twilio/twilio-test-kit';
import { runCli } from '../support/run-cli';
import { waitFor } from '../support/wait-for';

let setup: TwilioProductSetup;
let app: App;

beforeAll(async () => {
  setup = await setUpTwilioProduct();
  app = await createApp(setup.environment.config, { logDestination: { write: () => undefined } });
  await app.startWorkers();
  await app.listen(setup.port);
});

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
});

const bodiesTo = (to: string) => setup.twilioApi.accepted().filter((request) => request.params.To === to).map((request) => request.params.Body);

async function statusOf(id: number): Promise<string> {
  const row = await app.database.db.selectFrom('outbound_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  return row.status;
}

test('outbox send queues an automated message: sent by day, held at night (practice time)', async () => {
  const number = '+15555550311';
  const result = await runCli(setup.environment.env, 'outbox', 'send', '--channel', 'sms', '--to', number, 'Flu shots are available this week.');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const { outboundMessageId } = JSON.parse(result.stdout) as { outboundMessageId: number };
  const now = new Date();
  const daytime = nextSendingTime(now, { from: '08:00', to: '21:00', timeZone: DEMO_TIME_ZONE }) === now;
  if (daytime) {
    await waitFor(() => bodiesTo(number).length === 1, 20_000, 'the message');
    expect(bodiesTo(number)).toEqual(['Flu shots are available this week.']);
  } else {
    await waitFor(async () => (await statusOf(outboundMessageId)) === 'held', 20_000, 'the hold');
    expect(bodiesTo(number)).toEqual([]);
  }
}, 60_000);

test('after STOP, an automated message is suppressed (one confirmation only) and listed by outbox failed', async () => {
  const number = '+15555550312';
  expect((await postInboundMessage(setup.publicUrl, number, 'STOP')).status).toBe(200);
  await waitFor(() => bodiesTo(number).length === 1, 20_000, 'the STOP confirmation');
  const sent = await runCli(setup.environment.env, 'outbox', 'send', '--channel', 'sms', '--to', number, 'Flu shots are available this week.');
  expect(sent.code).toBe(0);
  const { outboundMessageId } = JSON.parse(sent.stdout) as { outboundMessageId: number };
  await waitFor(async () => (await statusOf(outboundMessageId)) === 'failed', 20_000, 'the suppression');
  expect(bodiesTo(number)).toHaveLength(1);

  const failed = await runCli(setup.environment.env, 'outbox', 'failed');
  expect(failed.code).toBe(0);
  const rows = JSON.parse(failed.stdout) as Array<{ id: number; status: string; last_error_code: string }>;
  expect(rows.find((row) => row.id === outboundMessageId)).toMatchObject({ status: 'failed', last_error_code: 'opted_out' });
  expect(failed.stdout).not.toContain('Flu shots');
  expect(failed.stdout).not.toContain('5555550312');
}, 60_000);

test('outbox send refuses an unknown channel with a clear error', async () => {
  const result = await runCli(setup.environment.env, 'outbox', 'send', '--channel', 'fax', '--to', '+15555550313', 'hello');
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('--channel must be sms, whatsapp or messenger');
}, 60_000);
