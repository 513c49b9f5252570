/**
 * Attempts are bounded: 5 wrong codes lock the challenge for 15 minutes (the link refuses for good, new links refuse
 * until the lock ends, then work) — for a decoy exactly as for a real challenge; date-of-birth attempts are limited
 * per link, per IP and per contact, code attempts per IP, and codes actually sent per phone on record (silently:
 * the page stays the same, only the text is not sent). Limits are set low here; each test uses its own IPs.
 */
import {
  SecurePageHarness,
  TestBrowser,
  enterBirthDate,
  heading,
  verifyIdentity,
  withoutCsrf,
} from './secure-page-harness';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const AMARA = { given: 'Amara', family: 'Okafor', birthDate: '1992-07-21', phone: '+15555550103' };

let harness: SecurePageHarness;
beforeAll(async () => {
  harness = await SecurePageHarness.start({
    birthDateStepMinimumMs: 0,
    limits: {
      birthDateAttemptsPerIp: { limit: 4, windowMs: HOUR },
      birthDateAttemptsPerContact: { limit: 6, windowMs: HOUR },
      codeAttemptsPerIp: { limit: 8, windowMs: HOUR },
      codesPerPhone: { limit: 2, windowMs: HOUR },
    },
  });
  await harness.seedPatient(AMARA);
}, 60_000);
afterAll(async () => harness.close());

/** Each test starts in fresh rate-limit windows. */
beforeEach(() => harness.clock.advance(2 * HOUR));

async function fiveWrongCodes(path: string, birthDate: string): Promise<string[]> {
  const browser = new TestBrowser(harness.base);
  let page = await enterBirthDate(browser, path, birthDate);
  const headings: string[] = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    page = await browser.submit(path, page, 'code', { code: '000000' });
    headings.push(heading(page.html));
  }
  return headings;
}

test('5 wrong codes lock the link; new links refuse for 15 minutes, then work; the old link stays locked', async () => {
  const link = await harness.linkFor(AMARA.phone);
  expect(await fiveWrongCodes(link.path, AMARA.birthDate)).toEqual([
    ...Array(4).fill('Enter your code'),
    'Too many attempts',
  ]);
  const refused = await new TestBrowser(harness.base).get(link.path);
  expect(refused.status).toBe(429);
  expect(heading(refused.html)).toBe('Too many attempts');
  expect(refused.html).toContain('Please wait 15 minutes, then ask for a new link.');

  const duringLock = await harness.linkFor(AMARA.phone);
  expect(heading((await new TestBrowser(harness.base).get(duringLock.path)).html)).toBe('Too many attempts');
  harness.clock.advance(15 * MINUTE);
  const afterLock = await harness.linkFor(AMARA.phone);
  const content = await verifyIdentity(harness, new TestBrowser(harness.base), afterLock.path, AMARA.birthDate);
  expect(heading(content.html)).toBe('Your appointments');
  expect(heading((await new TestBrowser(harness.base).get(link.path)).html)).toBe('Too many attempts');
  expect(await harness.auditActions()).toEqual(expect.arrayContaining(['identity.locked', 'secure_link.locked']));
});

test('a decoy challenge locks after 5 wrong codes with the same pages as a real one', async () => {
  const real = await harness.linkFor(AMARA.phone);
  const decoy = await harness.linkFor('+15555550188');
  const realBrowser = new TestBrowser(harness.base);
  const decoyBrowser = new TestBrowser(harness.base);
  let realPage = await enterBirthDate(realBrowser, real.path, AMARA.birthDate);
  let decoyPage = await enterBirthDate(decoyBrowser, decoy.path, AMARA.birthDate);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    realPage = await realBrowser.submit(real.path, realPage, 'code', { code: '000000' });
    decoyPage = await decoyBrowser.submit(decoy.path, decoyPage, 'code', { code: '000000' });
    expect(decoyPage.status).toBe(realPage.status);
    expect(withoutCsrf(decoyPage.html)).toBe(withoutCsrf(realPage.html));
  }
  expect(heading(decoyPage.html)).toBe('Too many attempts');
});

test('date-of-birth attempts per IP are limited; another network can still use the link', async () => {
  const browser = new TestBrowser(harness.base);
  const pages = [];
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const link = await harness.linkFor(`+1555555030${attempt}`);
    pages.push(await enterBirthDate(browser, link.path, '1970-01-01'));
  }
  expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 429]);
  expect(heading(pages[4]!.html)).toBe('Too many attempts');
  expect(pages[4]!.html).toContain('please wait an hour and try again');

  const link = await harness.linkFor('+15555550309');
  expect((await enterBirthDate(new TestBrowser(harness.base), link.path, '1970-01-01')).status).toBe(200);
  const limited = await harness.db
    .selectFrom('audit_events')
    .select('details')
    .where('action', '=', 'identity.rate_limited')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  expect(limited.details).toEqual(expect.objectContaining({ scope: 'birth-date:ip' }));
});

test('date-of-birth attempts per contact are limited across its links and networks', async () => {
  const phone = '+15555550310';
  const statuses = [];
  for (let attempt = 0; attempt < 7; attempt += 1) {
    const link = await harness.linkFor(phone);
    statuses.push((await enterBirthDate(new TestBrowser(harness.base), link.path, '1970-01-01')).status);
  }
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
});

test('date-of-birth attempts per link are limited: the sixth locks the link', async () => {
  const link = await harness.linkFor('+15555550311');
  const statuses = [];
  for (let attempt = 0; attempt < 6; attempt += 1) {
    statuses.push((await enterBirthDate(new TestBrowser(harness.base), link.path, '1970-01-01')).status);
  }
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  const row = await harness.db
    .selectFrom('secure_links')
    .select('status')
    .where('id', '=', link.id)
    .executeTakeFirstOrThrow();
  expect(row.status).toBe('locked');
});

test('code attempts per IP are limited across links', async () => {
  const browser = new TestBrowser(harness.base);
  const headings = [];
  for (const phone of ['+15555550320', '+15555550321', '+15555550322']) {
    const link = await harness.linkFor(phone);
    let page = await enterBirthDate(browser, link.path, '1970-01-01');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      page = await browser.submit(link.path, page, 'code', { code: '000000' });
      headings.push(`${page.status} ${heading(page.html)}`);
    }
  }
  expect(headings.slice(0, 8)).toEqual(Array(8).fill('422 Enter your code'));
  expect(headings[8]).toBe('429 Too many attempts');
});

test('codes sent per phone on record are limited silently: same page, no text, audited', async () => {
  harness.clock.advance(HOUR);
  const sentBefore = harness.sentCodes.length;
  const pages = [];
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const link = await harness.linkFor(AMARA.phone);
    pages.push(await enterBirthDate(new TestBrowser(harness.base), link.path, AMARA.birthDate));
  }
  expect(harness.sentCodes).toHaveLength(sentBefore + 2);
  expect(pages.map((page) => page.status)).toEqual([200, 200, 200]);
  expect(withoutCsrf(pages[2]!.html)).toBe(withoutCsrf(pages[0]!.html));
  const passed = await harness.db
    .selectFrom('audit_events')
    .select('details')
    .where('action', '=', 'identity.check_passed')
    .orderBy('id', 'desc')
    .limit(3)
    .execute();
  expect(passed.map((event) => (event.details as { codeSent: boolean }).codeSent)).toEqual([false, true, true]);
});
