/**
 * PHI canary (DESIGN §7): patients write in by SMS and web chat with marker values (a name, a phone number, a date of
 * birth); the markers must never appear in logs, in Redis (queue payloads, keys, anything), or in plaintext anywhere
 * in a pg_dump of the database. The fake Twilio API necessarily sees the phone number: that is the send itself.
 */
import { type App, createApp } from '../../src/app';
import { LogCapture } from '../support/log-capture';
import { expectNoMarkers as expectCanariesAbsent, pgDump, redisDump as redisDumpUnder } from '../support/phi-canaries';
import { waitFor } from '../support/wait-for';
import { WebchatTestClient } from '../support/webchat-client';
import { type TwilioProductSetup, postInboundMessage, setUpTwilioProduct } from './twilio/twilio-test-kit';

const CANARY_PHONE = '+15555550142';
const MARKERS = ['5555550142', 'Zebulon', 'Canaryfield', '1971-03-09', '03/09/1971'];

let setup: TwilioProductSetup;
let app: App;
const logs = new LogCapture();
let base: string;

beforeAll(async () => {
  setup = await setUpTwilioProduct();
  app = await createApp(setup.environment.config, { logDestination: logs });
  base = `127.0.0.1:${await app.listen(setup.port)}`;
});

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
});

const expectNoMarkers = (where: string, text: string) => expectCanariesAbsent(MARKERS, where, text);
const redisDump = () => redisDumpUnder(setup.environment.env.QUEUE_PREFIX!);

test('marker values never reach logs, Redis or plaintext database columns', async () => {
  // Patients write in while no worker runs, so their jobs wait in Redis to be inspected.
  expect((await postInboundMessage(setup.publicUrl, CANARY_PHONE, 'Hi, this is Zebulon Canaryfield, born 1971-03-09. What are your hours?')).status).toBe(200);
  const visitor = await WebchatTestClient.connect(`ws://${base}/webchat`);
  await visitor.hello();
  visitor.send({ type: 'message', clientMsgId: 'canary-0001', text: 'Zebulon Canaryfield here, DOB 03/09/1971, phone 555-555-0142. Do you take Medicaid?' });
  await visitor.next((frame) => frame.type === 'ack');
  const queued = await redisDump();
  expect(queued).toContain('process-inbound'); // the jobs are there to inspect
  expectNoMarkers('redis (queued jobs)', queued);

  await app.startWorkers();
  await visitor.waitForBotMessages(1, 20_000);
  await waitFor(() => setup.twilioApi.accepted().some((request) => request.params.To === CANARY_PHONE), 20_000, 'the SMS answer');
  expect((await postInboundMessage(setup.publicUrl, CANARY_PHONE, 'STOP')).status).toBe(200);
  await waitFor(() => setup.twilioApi.accepted().filter((request) => request.params.To === CANARY_PHONE).length === 2, 20_000, 'the STOP confirmation');
  await setup.twilioApi.settle();
  visitor.close();

  expectNoMarkers('redis (after processing)', await redisDump());
  expectNoMarkers('logs', logs.text());
  const dump = pgDump(setup.environment.env.DATABASE_SCHEMA!);
  expect(dump).toContain('inbound_messages'); // the dump holds the data it is meant to
  expectNoMarkers('pg_dump', dump);
}, 90_000);
