/**
 * SMS through the whole product: a signed Twilio webhook in, the worker, the flows, and the reply sent with the real
 * twilio SDK to a Twilio-compatible server on 127.0.0.1 (TWILIO_API_BASE_URL). Acceptance of issue 3 for SMS.
 */
import { type App, createApp } from '../../src/app';
import type { FakeTwilioApi } from '../fakes/twilio/twilio-api-server';
import { PRACTICE_NUMBER, type TwilioProductSetup, encodeForm, fixtureFields, postForm, setUpTwilioProduct } from './twilio/twilio-test-kit';
import { waitFor } from '../support/wait-for';

let setup: TwilioProductSetup;
let app: App;
let twilioApi: FakeTwilioApi;
let publicUrl: string;

beforeAll(async () => {
  setup = await setUpTwilioProduct();
  ({ twilioApi, publicUrl } = setup);
  app = await createApp(setup.environment.config, { logDestination: { write: () => undefined } });
  await app.startWorkers();
  await app.listen(setup.port);
});

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
});

let sidCounter = 0;
function inboundSms(from: string, body: string): string {
  sidCounter += 1;
  const sid = `SM${String(sidCounter).padStart(32, 'a')}`;
  return encodeForm({ ...fixtureFields('sms-inbound.form'), From: from, Body: body, MessageSid: sid, SmsSid: sid, SmsMessageSid: sid });
}

const messagingUrl = () => `${publicUrl}/webhooks/twilio/messaging`;
const post = (body: string, options: { sign?: boolean; authToken?: string } = {}) =>
  postForm(messagingUrl(), body, { signedUrl: messagingUrl(), ...options });
const sentTo = (to: string) => twilioApi.accepted().filter((request) => request.params.To === to);

test('a signed SMS gets its answer through the Twilio API, once, even when delivered twice', async () => {
  const body = inboundSms('+15555550123', 'what are your hours?');
  const first = await post(body);
  expect(first.status).toBe(200);
  expect(await first.text()).toContain('<Response/>');
  expect((await post(body)).status).toBe(200);
  const [reply] = await waitFor(() => (sentTo('+15555550123').length > 0 ? sentTo('+15555550123') : undefined));
  expect(reply!.params.Body).toMatch(/^Our hours:/);
  expect(reply!.params.From).toBe(PRACTICE_NUMBER);
  expect(reply!.params.StatusCallback).toMatch(new RegExp(`^${publicUrl}/webhooks/twilio/status\\?outbound=[0-9]+$`));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(sentTo('+15555550123')).toHaveLength(1);
  // The fake's signed status callbacks moved the message forward.
  const row = await waitFor(async () => {
    const found = await app.database.db.selectFrom('outbound_messages').select('status').where('provider_message_id', '=', reply!.sid!).executeTakeFirst();
    return found?.status === 'delivered' ? found : undefined;
  });
  expect(row.status).toBe('delivered');
});

test('unsigned and wrongly signed webhooks are refused and never reach the bot', async () => {
  const before = await app.database.db.selectFrom('inbound_messages').select('id').execute();
  expect((await post(inboundSms('+15555550124', 'hello'), { sign: false })).status).toBe(400);
  expect((await post(inboundSms('+15555550124', 'hello'), { authToken: 'wrong-token' })).status).toBe(403);
  const after = await app.database.db.selectFrom('inbound_messages').select('id').execute();
  expect(after).toHaveLength(before.length);
});

test('the API answering 500 twice then 201 delivers the reply exactly once', async () => {
  twilioApi.scriptNext({ kind: 'error', httpStatus: 500, code: 20500 }, { kind: 'error', httpStatus: 500, code: 20500 });
  await post(inboundSms('+15555550125', 'do you have parking?'));
  const [reply] = await waitFor(() => (sentTo('+15555550125').length > 0 ? sentTo('+15555550125') : undefined), 20_000);
  expect(reply!.params.Body).toMatch(/parking/i);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(sentTo('+15555550125')).toHaveLength(1);
});

test('21610 from the API records the number as opted out', async () => {
  twilioApi.failRecipient('+15555550126', 21610);
  await post(inboundSms('+15555550126', 'what is your fax number?'));
  const optOut = await waitFor(async () =>
    app.database.db
      .selectFrom('consent_events')
      .innerJoin('contacts', 'contacts.id', 'consent_events.contact_id')
      .select(['consent_events.purpose', 'consent_events.action', 'consent_events.source'])
      .where('contacts.address_hash', '=', app.keyRing.blindIndex('contact:sms', '+15555550126'))
      .executeTakeFirst(),
  );
  expect(optOut).toEqual({ purpose: 'messages', action: 'revoked', source: 'carrier' });
});

test('STOP is honoured on SMS: one confirmation, then nothing automated', async () => {
  await post(inboundSms('+15555550127', 'STOP'));
  await waitFor(() => (sentTo('+15555550127').length > 0 ? true : undefined));
  await post(inboundSms('+15555550127', 'what are your hours?'));
  const suppressed = await waitFor(async () => {
    const rows = await app.database.db.selectFrom('outbound_messages').select(['status', 'last_error_code']).where('last_error_code', '=', 'opted_out').execute();
    return rows.length > 0 ? rows : undefined;
  });
  expect(suppressed[0]!.status).toBe('failed');
  expect(sentTo('+15555550127')).toHaveLength(1);
  expect(sentTo('+15555550127')[0]!.params.Body).toMatch(/unsubscribed/);
});

test('quick replies travel as numbered options, and "1" picks the first', async () => {
  await post(inboundSms('+15555550128', 'hello'));
  const [greeting] = await waitFor(() => (sentTo('+15555550128').length > 0 ? sentTo('+15555550128') : undefined));
  expect(greeting!.params.Body).toMatch(/Reply 1, 2, 3 or 4:\n1\) Hours\n2\) Location/);
  await post(inboundSms('+15555550128', '2'));
  const replies = await waitFor(() => (sentTo('+15555550128').length > 1 ? sentTo('+15555550128') : undefined));
  expect(replies[1]!.params.Body).toMatch(/^We're at 1200 River Road/);
});
