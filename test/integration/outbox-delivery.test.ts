/**
 * The outbox's delivery rules through the whole product, against the fake Twilio API: messages of a conversation
 * leave in order even when one has to be retried; a send interrupted mid-call is settled by its status callback
 * instead of being sent twice; automated messages wait out quiet hours in the practice's time zone; on WhatsApp
 * after 24 h of silence one template goes and the messages wait for the patient's reply.
 */
import { type App, createApp } from '../../src/app';
import { queueAutomatedMessage } from '../../src/channels/automated-message';
import { createTwilioSenders } from '../../src/channels/twilio/twilio-sender';
import { zonedTime } from '../../src/compliance/quiet-hours';
import { sweepLostWork } from '../../src/conversation/recovery-sweeper';
import { localDate } from '../../src/practice/opening-hours';
import { DEMO_TIME_ZONE } from '../../src/practice/demo-practice';
import { sendOutboundQueue } from '../../src/queues/send-outbound-queue';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  PRACTICE_NUMBER,
  TEMPLATE_SID,
  type TwilioProductSetup,
  postInboundMessage,
  setUpTwilioProduct,
} from './twilio/twilio-test-kit';
import { waitFor } from '../support/wait-for';

const RECONCILE_MS = 3_000;
const HOUR = 3_600_000;

let setup: TwilioProductSetup;
let app: App;
/** The product's clock runs with the real one, shifted to put it at a chosen local time. */
let shiftMs = 0;
const clock = () => new Date(Date.now() + shiftMs);

/** Moves the product's clock to `time` in the practice's time zone, `daysAhead` days after today there. */
function setPracticeTime(time: string, daysAhead = 0): Date {
  const target = zonedTime(localDate(new Date(), DEMO_TIME_ZONE, daysAhead).isoDate, time, DEMO_TIME_ZONE);
  shiftMs = target.getTime() - Date.now();
  return target;
}

beforeAll(async () => {
  setup = await setUpTwilioProduct({ TWILIO_WHATSAPP_FROM: PRACTICE_NUMBER, TWILIO_WHATSAPP_TEMPLATE_SID: TEMPLATE_SID });
  app = await createApp(setup.environment.config, { logDestination: { write: () => undefined }, now: clock, reconcileMs: RECONCILE_MS });
  await app.startWorkers();
  await app.listen(setup.port);
});

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
});

beforeEach(() => {
  setPracticeTime('12:00');
});

async function textFrom(from: string, body: string): Promise<void> {
  expect((await postInboundMessage(setup.publicUrl, from, body)).status).toBe(200);
}

const sentTo = (to: string) => setup.twilioApi.received.filter((request) => request.params.To === to);
/** Everything accepted for `to`, in order (a template has no Body). */
const bodiesTo = (to: string) => setup.twilioApi.accepted().filter((request) => request.params.To === to).map((request) => request.params.Body);

function automated(channel: 'sms' | 'whatsapp', address: string, text: string) {
  const deps = { db: app.database.db, ingest: app.ingest, repository: app.repository, sendQueue: app.sendQueue, gate: app.gate };
  return queueAutomatedMessage(deps, { practiceId: app.practiceId, channel, address, text, lang: 'en' });
}

async function statusOf(id: number) {
  const row = await app.database.db.selectFrom('outbound_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return row;
}

test('messages of one conversation leave in order, even when the first is retried after a 500', async () => {
  const number = '+15555550301';
  setup.twilioApi.scriptNext({ kind: 'error', httpStatus: 500, code: 20500 });
  for (const text of ['First notice.', 'Second notice.', 'Third notice.']) await automated('sms', number, text);
  await waitFor(() => bodiesTo(number).length === 3, 20_000, 'three messages');
  expect(bodiesTo(number)).toEqual(['First notice.', 'Second notice.', 'Third notice.']);
  expect(sentTo(number).map((request) => request.httpStatus)).toEqual([500, 201, 201, 201]);
});

describe('a send interrupted mid-call (the worker died after calling Twilio, or before)', () => {
  /** A row as a worker that died mid-send leaves it: claimed, `sending`, no provider id; its job is retried. */
  async function interruptedRow(number: string, text: string): Promise<number> {
    const conversation = await app.ingest.openConversation(app.practiceId, 'sms', number);
    const [id] = await app.database.db
      .transaction()
      .execute(async (trx) => {
        const { drafts } = await app.gate.pass(trx, conversation, [{ text, quickReplies: [], classification: 'none' }], { lang: 'en', inboundMessageId: null });
        return app.repository.insertOutbound(trx, conversation, null, drafts, 'en');
      });
    await app.database.db.updateTable('outbound_messages').set({ status: 'sending', claimed_at: new Date() }).where('id', '=', id!).execute();
    return id!;
  }

  test('Twilio had accepted it: its status callback settles the row and nothing is sent again', async () => {
    const number = '+15555550302';
    const id = await interruptedRow(number, 'Your visit summary is ready in the portal.');
    // What the dead worker had done: the real SDK call, with the statusCallback naming our row.
    const { sms } = createTwilioSenders({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: setup.twilioApi.baseUrl,
      publicUrl: setup.publicUrl,
      smsFrom: PRACTICE_NUMBER,
    });
    const sent = await sms!.send(app.gate.releaseWithoutPhi({
      outboundMessageId: id,
      conversationId: '',
      channel: 'sms',
      seq: 0,
      recipient: number,
      text: 'Your visit summary is ready in the portal.',
      quickReplies: [],
      author: 'bot',
      lang: 'en',
      lastInboundAt: null,
    }));
    await sendOutboundQueue.addJob(app.sendQueue, { outboundMessageId: id });
    const settled = await waitFor(async () => {
      const row = await statusOf(id);
      return row.status === 'delivered' ? row : undefined;
    }, 10_000);
    expect(settled.provider_message_id).toBe(sent.providerMessageId);
    await new Promise((resolve) => setTimeout(resolve, RECONCILE_MS + 1_500));
    expect(bodiesTo(number)).toHaveLength(1);
  });

  test('Twilio never got it: after the reconcile window it is sent, once', async () => {
    const number = '+15555550303';
    const id = await interruptedRow(number, 'Flu shots are available this week.');
    await sendOutboundQueue.addJob(app.sendQueue, { outboundMessageId: id });
    await new Promise((resolve) => setTimeout(resolve, RECONCILE_MS / 2));
    expect(bodiesTo(number)).toHaveLength(0); // still waiting for a callback that could settle it
    await waitFor(() => bodiesTo(number).length > 0, 15_000, 'the resend');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bodiesTo(number)).toEqual(['Flu shots are available this week.']);
    expect((await statusOf(id)).attempts).toBe(1);
  });
});

test('quiet hours: an automated SMS at 11:30 pm waits for 8 am in the practice time zone; replies go at once', async () => {
  const number = '+15555550304';
  setPracticeTime('23:30');
  const id = await automated('sms', number, 'Flu shots are available this week.');
  const held = await waitFor(async () => {
    const row = await statusOf(id);
    return row.status === 'held' ? row : undefined;
  }, 10_000);
  expect(held.not_before).toEqual(zonedTime(localDate(clock(), DEMO_TIME_ZONE, 1).isoDate, '08:00', DEMO_TIME_ZONE));

  // The patient writes at night: the answer is a reply, so it goes now; the held message still waits.
  await textFrom(number, 'what is your fax number?');
  await waitFor(() => bodiesTo(number).length === 1, 20_000, 'the answer');
  expect(bodiesTo(number)[0]).toMatch(/Fax/);
  await sweepLostWork({ db: app.database.db, inboundQueue: app.inboundQueue, sendQueue: app.sendQueue, logger: app.logger, now: clock });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(bodiesTo(number)).toHaveLength(1);

  // Morning: the sweep puts it back in line and it goes.
  setPracticeTime('08:01', 1);
  await sweepLostWork({ db: app.database.db, inboundQueue: app.inboundQueue, sendQueue: app.sendQueue, logger: app.logger, now: clock });
  await waitFor(() => bodiesTo(number).length === 2, 10_000, 'the held message');
  expect(bodiesTo(number)[1]).toBe('Flu shots are available this week.');
});

test('WhatsApp after 24 h of silence: one template, no text; the messages go, in order, when the patient replies', async () => {
  const patient = 'whatsapp:+15555550305';
  await textFrom(patient, 'what is your fax number?');
  await waitFor(() => bodiesTo(patient).length === 1, 20_000, 'the answer');

  // A day and more of silence.
  await app.database.db
    .updateTable('conversations')
    .set({ last_inbound_at: new Date(clock().getTime() - 25 * HOUR) })
    .where('channel', '=', 'whatsapp')
    .execute();
  const first = await automated('whatsapp', patient, 'Flu shots are available this week.');
  const second = await automated('whatsapp', patient, 'Our office closes early on Friday.');
  await waitFor(async () => (await statusOf(first)).status === 'awaiting_reply' && (await statusOf(second)).status === 'awaiting_reply', 10_000);
  const afterSilence = sentTo(patient).slice(1);
  expect(afterSilence).toHaveLength(1);
  expect(afterSilence[0]!.params).toMatchObject({ ContentSid: TEMPLATE_SID });
  expect(afterSilence[0]!.params.Body).toBeUndefined();

  // The patient answers the template: what waited goes first, then the answer to the new question.
  await textFrom(patient, 'where are you located?');
  await waitFor(() => bodiesTo(patient).length === 5, 20_000, 'the waiting messages and the answer');
  const bodies = bodiesTo(patient);
  expect(bodies.slice(2, 4)).toEqual(['Flu shots are available this week.', 'Our office closes early on Friday.']);
  expect(bodies[4]).toMatch(/1200 River Road/);

  // Silence again; this time the patient only acknowledges the template: the message, and no "I didn't understand".
  await app.database.db
    .updateTable('conversations')
    .set({ last_inbound_at: new Date(clock().getTime() - 30 * HOUR) })
    .where('channel', '=', 'whatsapp')
    .execute();
  await automated('whatsapp', patient, 'Your new patient forms are ready.');
  await waitFor(() => sentTo(patient).length === 6, 10_000, 'the second template');
  expect(sentTo(patient)[5]!.params).toMatchObject({ ContentSid: TEMPLATE_SID });
  await textFrom(patient, 'ok');
  await waitFor(() => bodiesTo(patient).length === 7, 20_000, 'the waiting message');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(bodiesTo(patient).slice(6)).toEqual(['Your new patient forms are ready.']);
});
