/**
 * Issue 4's acceptance, as a patient on a phone would live it, through the whole product: signed Twilio webhooks in,
 * the worker, the demo EMR, the PHI gate, replies and the verification code sent with the real twilio SDK to a
 * Twilio-compatible server on 127.0.0.1, and the secure page over HTTP. At the end, the demo patient's details
 * (canaries) must appear in no log line, no Redis value and no plaintext database column.
 */
import type { App } from '../../src/app';
import { LogCapture } from '../support/log-capture';
import { startTestApp } from '../support/test-app';
import { expectNoMarkers, pgDump, redisDump } from '../support/phi-canaries';
import { runCli } from '../support/run-cli';
import { TestBrowser, enterBirthDate, withoutCsrf } from '../integration/secure-page/secure-page-harness';
import { TextingPhone } from '../integration/twilio/texting-phone';
import { type TwilioProductSetup, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';

const PHONE = '+15555550123'; // "Test Patient", born 1980-04-02, and "Junior Patient" share it
const UNKNOWN_PHONE = '+15555550166';
/** What must never be in an SMS without consent, nor in logs, Redis or the database in plaintext. */
const APPOINTMENT_DETAILS = ['Annual physical', 'Alvarez', 'Main Street Office', '10:30'];
const CANARIES = ['1980-04-02', '5555550123', 'Alvarez', 'Annual physical', 'Junior'];

let setup: TwilioProductSetup;
let app: App;
const logs = new LogCapture();

beforeAll(async () => {
  setup = await setUpTwilioProduct();
  ({ app } = await startTestApp(setup.environment.config, { logDestination: logs }, setup.port));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
});

const patientPhone = () => new TextingPhone(setup, PHONE);
const secureLinkPath = (replies: readonly string[]) => new URL(patientPhone().secureLinkIn(replies)).pathname;

test('no consent: a secure link; DOB + texted code show the appointment; YES then gets it by SMS; STOP revokes it', async () => {
  const base = `http://127.0.0.1:${setup.port}`;
  const phone = patientPhone();
  const first = await phone.text('when is my next appointment?', 2);
  for (const detail of [...APPOINTMENT_DETAILS, 'Test', 'Patient', 'Junior'])
    expect(first.join(' ')).not.toContain(detail);
  expect(first.join(' ')).not.toMatch(
    /\b(January|February|March|April|May|June|July|August|September|October|November|December)\b/,
  );
  const path = secureLinkPath(first);
  expect(first[1]).toMatch(/not secure.*YES.*STOP/s);

  // A wrong date of birth gets the very page a right one gets from an unknown phone.
  const strangerPath = secureLinkPath(
    await new TextingPhone(setup, UNKNOWN_PHONE).text('when is my next appointment?', 2),
  );
  const wrongBirthDate = await enterBirthDate(new TestBrowser(base), path, '1980-04-03');
  const unknownPhone = await enterBirthDate(new TestBrowser(base), strangerPath, '1980-04-02');
  expect(withoutCsrf(wrongBirthDate.html)).toBe(withoutCsrf(unknownPhone.html));
  expect(wrongBirthDate.status).toBe(unknownPhone.status);

  const patient = new TestBrowser(base);
  const sentBefore = phone.received().length;
  const codePage = await enterBirthDate(patient, path, '1980-04-02');
  expect(withoutCsrf(codePage.html)).toBe(withoutCsrf(wrongBirthDate.html));
  const code = await phone.codeAfter(sentBefore);
  expect((await patient.submit(path, codePage, 'code', { code })).status).toBe(303);
  const shown = await patient.get(path);
  for (const detail of APPOINTMENT_DETAILS) expect(shown.html).toContain(detail);

  // Consent (the number is verified now): YES, then the answer comes by SMS.
  expect(await phone.text('YES')).toEqual([expect.stringMatching(/from now on/)]);
  const answer = await phone.text('when is my next appointment?');
  for (const detail of APPOINTMENT_DETAILS) expect(answer[0]).toContain(detail);

  // STOP revokes it: after START, the next PHI question gets a link again (and is not asked for consent again).
  await phone.text('STOP');
  await phone.text('START');
  const afterStop = await phone.text('when is my next appointment?');
  expect(afterStop).toHaveLength(1);
  secureLinkPath(afterStop);
  for (const detail of APPOINTMENT_DETAILS) expect(afterStop[0]).not.toContain(detail);

  const ledger = JSON.parse((await runCli(setup.environment.env, 'consent', 'show', PHONE)).stdout) as Array<
    Record<string, unknown>
  >;
  const phiEvents = ledger.filter((event) => event.purpose === 'phi_messages' && event.channel === 'sms');
  expect(phiEvents).toEqual([
    expect.objectContaining({
      action: 'requested',
      source: 'bot',
      evidence: expect.objectContaining({ wording: first[1] }),
    }),
    expect.objectContaining({
      action: 'granted',
      source: 'patient_reply',
      evidence: expect.objectContaining({ wording: first[1], reply: 'YES' }),
    }),
    expect.objectContaining({
      action: 'revoked',
      source: 'stop_keyword',
      evidence: expect.objectContaining({ wording: 'STOP' }),
    }),
  ]);
  expect(ledger).toContainEqual(
    expect.objectContaining({
      purpose: 'messages',
      action: 'granted',
      evidence: expect.objectContaining({ wording: 'START' }),
    }),
  );

  const verify = await runCli(setup.environment.env, 'audit', 'verify');
  expect(verify.code).toBe(0);

  // Canaries: the patient's details went only to the patient.
  await setup.twilioApi.settle();
  expectNoMarkers(CANARIES, 'logs', logs.text());
  expectNoMarkers(CANARIES, 'redis', await redisDump(setup.environment.env.QUEUE_PREFIX!));
  const dump = pgDump(setup.environment.env.DATABASE_SCHEMA!);
  expect(dump).toContain('secure_links');
  expectNoMarkers(CANARIES, 'pg_dump', dump);
}, 120_000);
