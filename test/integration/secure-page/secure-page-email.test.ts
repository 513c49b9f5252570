/**
 * Codes by email, when the practice has configured it: the first form offers "Send my code by" text message or
 * email; email goes to the address on record; a patient with no email on record who picks it gets the very same
 * page and no code (a quiet decoy); without email configured the choice is neither shown nor honoured.
 */
import { SecurePageHarness, TestBrowser, heading, withoutCsrf } from './secure-page-harness';

const WITH_EMAIL = {
  given: 'Test',
  family: 'Patient',
  birthDate: '1961-07-04',
  phone: '+15555550131',
  email: 'test.patient@example.com',
};
const WITHOUT_EMAIL = { given: 'Sample', family: 'Person', birthDate: '1972-02-29', phone: '+15555550132' };

let harness: SecurePageHarness;
let plain: SecurePageHarness;
let patientId: string;

beforeAll(async () => {
  harness = await SecurePageHarness.start({ offersEmail: true, birthDateStepMinimumMs: 50 });
  plain = await SecurePageHarness.start({ kind: 'pglite', birthDateStepMinimumMs: 50 });
  patientId = await harness.seedPatient(WITH_EMAIL);
  await harness.seedPatient(WITHOUT_EMAIL);
  await plain.seedPatient(WITH_EMAIL);
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await plain?.close();
});

async function chooseEmail(on: SecurePageHarness, phone: string, birthDate: string) {
  const link = await on.linkFor(phone);
  const browser = new TestBrowser(on.base);
  const opened = await browser.get(link.path);
  const codePage = await browser.submit(link.path, opened, 'birth-date', { birthDate, via: 'email' });
  return { link, browser, opened, codePage };
}

test('a patient who picks email gets the code at the address on record, and the code page says so', async () => {
  const { link, browser, opened, codePage } = await chooseEmail(harness, WITH_EMAIL.phone, WITH_EMAIL.birthDate);
  expect(opened.html).toContain('<legend>Send my code by</legend>');
  expect(opened.html).toContain('value="email"> Email to the address on record</label>');
  expect(codePage.html).toContain('We sent a code to the email address on record.');
  expect(codePage.html).toContain('The 6 digits from our email.');
  const sent = harness.sentCodes.at(-1)!;
  expect(sent).toMatchObject({ via: 'email', address: WITH_EMAIL.email, patientId });

  expect((await browser.submit(link.path, codePage, 'code', { code: sent.code })).status).toBe(303);
  expect(heading((await browser.get(link.path)).html)).toBe('Your appointments');
});

test('picking email with no email on record looks the same and sends nothing', async () => {
  const sentBefore = harness.sentCodes.length;
  const none = await chooseEmail(harness, WITHOUT_EMAIL.phone, WITHOUT_EMAIL.birthDate);
  expect(harness.sentCodes).toHaveLength(sentBefore);
  const some = await chooseEmail(harness, WITH_EMAIL.phone, WITH_EMAIL.birthDate);
  expect(harness.sentCodes).toHaveLength(sentBefore + 1);
  expect(none.codePage.status).toBe(some.codePage.status);
  expect(withoutCsrf(none.codePage.html)).toBe(withoutCsrf(some.codePage.html));
});

test('without email configured there is no choice, and the code goes by text whatever the form says', async () => {
  const { opened, codePage } = await chooseEmail(plain, WITH_EMAIL.phone, WITH_EMAIL.birthDate);
  expect(opened.html).not.toContain('Send my code by');
  expect(codePage.html).toContain('We sent a code to the phone on record.');
  expect(plain.sentCodes.at(-1)).toMatchObject({ via: 'sms', address: WITH_EMAIL.phone });
});
