/**
 * A verification code by email through the whole product: with SMTP_URL set, the demo "Test Patient" asks by SMS,
 * opens the secure link, picks email, and the code arrives (real nodemailer, real SMTP) at the address on record
 * in the demo EMR; with it the page shows the appointment. The address never appears in the logs.
 */
import type { App } from '../../src/app';
import { FakeSmtpServer } from '../fakes/smtp/fake-smtp-server';
import { LogCapture } from '../support/log-capture';
import { expectNoMarkers } from '../support/phi-canaries';
import { startTestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { TestBrowser } from '../integration/secure-page/secure-page-harness';
import { TextingPhone } from '../integration/twilio/texting-phone';
import { type TwilioProductSetup, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';

const PHONE = '+15555550123';
const EMAIL_ON_RECORD = 'test.patient@example.com';

let smtp: FakeSmtpServer;
let setup: TwilioProductSetup;
let app: App;
const logs = new LogCapture();

beforeAll(async () => {
  smtp = await FakeSmtpServer.start();
  setup = await setUpTwilioProduct({ SMTP_URL: smtp.url, SMTP_FROM: 'codes@clinic.example.com' });
  ({ app } = await startTestApp(setup.environment.config, { logDestination: logs }, setup.port));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
  await smtp?.stop();
});

test('the patient picks email on the secure page; the code arrives by SMTP and opens the appointment', async () => {
  const phone = new TextingPhone(setup, PHONE);
  const path = new URL(phone.secureLinkIn(await phone.text('when is my next appointment?', 2))).pathname;
  const browser = new TestBrowser(`http://127.0.0.1:${setup.port}`);
  const opened = await browser.get(path);
  const codePage = await browser.submit(path, opened, 'birth-date', { birthDate: '1980-04-02', via: 'email' });
  expect(codePage.html).toContain('We sent a code to the email address on record.');

  const mail = await waitFor(() => smtp.received.at(0), 20_000, 'the email with the code');
  expect(mail).toMatchObject({ from: 'codes@clinic.example.com', to: [EMAIL_ON_RECORD] });
  expect(mail.raw).toMatch(/Subject: Your .* verification code/);
  const code = /code: (\d{6})\./.exec(mail.raw)?.[1];
  expect(code).toMatch(/^\d{6}$/);

  expect((await browser.submit(path, codePage, 'code', { code: code! })).status).toBe(303);
  expect((await browser.get(path)).html).toContain('Annual physical');
  expectNoMarkers([EMAIL_ON_RECORD, code!], 'logs', logs.text());
}, 90_000);
