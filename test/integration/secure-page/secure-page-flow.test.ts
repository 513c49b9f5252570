/**
 * The secure page's identity check end to end over HTTP: the right date of birth and code show the withheld
 * information; a wrong date of birth or a link from an unknown phone get byte-for-byte the same pages (CSRF tokens
 * aside) with no code sent; the page's headers and cookie; nothing secret or PHI left in the database or audit log.
 */
import { sql } from 'kysely';
import {
  PRACTICE_NAME,
  SecurePageHarness,
  TestBrowser,
  enterBirthDate,
  heading,
  verifyIdentity,
  withoutCsrf,
} from './secure-page-harness';

const MINIMUM_MS = 150;
const MARISOL = { given: 'Marisol', family: 'Quintero', birthDate: '1985-03-14', phone: '+15555550101' };

let harness: SecurePageHarness;
let patientId: string;
beforeAll(async () => {
  harness = await SecurePageHarness.start({ birthDateStepMinimumMs: MINIMUM_MS });
  patientId = await harness.seedPatient(MARISOL);
}, 60_000);
afterAll(async () => harness.close());

test('the right date of birth and texted code show the withheld information and verify the contact', async () => {
  const link = await harness.linkFor(MARISOL.phone);
  expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:1\/s\/[A-Za-z0-9_-]{43}$/);
  expect(link.expiresAt).toEqual(new Date(harness.clock.current.getTime() + 30 * 60_000));

  const browser = new TestBrowser(harness.base);
  const opened = await browser.get(link.path);
  expect(opened.status).toBe(200);
  expect(heading(opened.html)).toBe('Confirm it’s you');
  expect(opened.html).toContain('<label for="birth-date">Date of birth</label>');

  const codePage = await browser.submit(link.path, opened, 'birth-date', { birthDate: MARISOL.birthDate });
  expect(codePage.status).toBe(200);
  expect(codePage.html).toContain('We sent a code to the phone on record.');
  expect(codePage.html).toContain('<label for="code">Verification code</label>');
  const sent = harness.sentCodes.at(-1)!;
  expect(sent).toEqual({
    via: 'sms',
    address: MARISOL.phone,
    patientId,
    code: expect.stringMatching(/^\d{6}$/),
    text: expect.any(String),
  });
  expect(sent.text).toBe(`${PRACTICE_NAME} code: ${sent.code}. It expires in 5 minutes. We will never ask you for it.`);

  const verified = await browser.submit(link.path, codePage, 'code', { code: sent.code });
  expect(verified.status).toBe(303);
  expect(verified.headers.get('location')).toBe(link.path);
  const content = await browser.get(link.path);
  expect(content.status).toBe(200);
  expect(heading(content.html)).toBe('Your appointments');
  expect(content.html).toContain('Marisol Quintero: annual physical');
  expect(content.html).toContain('>Sign out</button>');
  // No verified chat is configured here: the page offers the practice phone instead.
  expect(content.html).toContain('href="tel:5550102000"');

  expect(harness.verifiedContacts).toContainEqual({ contactId: link.contactId, patientId });
  const contact = await harness.db
    .selectFrom('contacts')
    .select(['patient_id', 'verified_at'])
    .where('id', '=', link.contactId)
    .executeTakeFirstOrThrow();
  expect(contact).toEqual({ patient_id: patientId, verified_at: expect.any(Date) });
  const row = await harness.db
    .selectFrom('secure_links')
    .select(['status', 'patient_id'])
    .where('id', '=', link.id)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'verified', patient_id: patientId });
});

test('a wrong date of birth and an unknown phone get the same pages as the right date of birth, and no code', async () => {
  const right = await harness.linkFor(MARISOL.phone);
  const wrong = await harness.linkFor(MARISOL.phone);
  const unknown = await harness.linkFor('+15555550199');
  const sentBefore = harness.sentCodes.length;

  const rightPage = await enterBirthDate(new TestBrowser(harness.base), right.path, MARISOL.birthDate);
  expect(harness.sentCodes).toHaveLength(sentBefore + 1);
  const wrongBrowser = new TestBrowser(harness.base);
  const wrongPage = await enterBirthDate(wrongBrowser, wrong.path, '1985-03-15');
  const unknownBrowser = new TestBrowser(harness.base);
  const unknownPage = await enterBirthDate(unknownBrowser, unknown.path, MARISOL.birthDate);
  expect(harness.sentCodes).toHaveLength(sentBefore + 1);

  for (const page of [wrongPage, unknownPage]) {
    expect(page.status).toBe(rightPage.status);
    expect(withoutCsrf(page.html)).toBe(withoutCsrf(rightPage.html));
    for (const header of ['content-type', 'content-length', 'cache-control', 'content-security-policy']) {
      expect(page.headers.get(header)).toBe(rightPage.headers.get(header));
    }
  }
  // The step never answers before its minimum time, match or not (a lower bound: no wall-clock race).
  for (const page of [rightPage, wrongPage, unknownPage]) expect(page.elapsedMs).toBeGreaterThanOrEqual(MINIMUM_MS - 5);

  // A wrong code on the decoy looks like a wrong code on the real challenge; so does reopening the link.
  const rightBrowser = new TestBrowser(harness.base);
  const rightAgain = await enterBirthDate(rightBrowser, right.path, MARISOL.birthDate);
  const wrongCodes = await Promise.all([
    rightBrowser.submit(right.path, rightAgain, 'code', { code: '000000' }),
    wrongBrowser.submit(wrong.path, wrongPage, 'code', { code: '000000' }),
    unknownBrowser.submit(unknown.path, unknownPage, 'code', { code: '000000' }),
  ]);
  const reopened = await Promise.all([
    rightBrowser.get(right.path),
    wrongBrowser.get(wrong.path),
    unknownBrowser.get(unknown.path),
  ]);
  for (const pages of [wrongCodes, reopened]) {
    expect(pages.map((page) => page.status)).toEqual(Array(3).fill(pages[0]!.status));
    expect(new Set(pages.map((page) => withoutCsrf(page.html))).size).toBe(1);
  }
  expect(wrongCodes[0]!.html).toContain('That code is not right.');
  expect(heading(reopened[0]!.html)).toBe('Enter your code');
});

test('a web chat link asks for the phone on record too: both must match, and a miss looks like a match', async () => {
  // A patient of its own: codes per patient are rate-limited, and the other tests text Marisol.
  const jonas = { given: 'Jonas', family: 'Example', birthDate: '1979-12-01', phone: '+15555550105' };
  const jonasId = await harness.seedPatient(jonas);
  const sentBefore = harness.sentCodes.length;
  const open = async () => {
    const link = await harness.webchatLink();
    const browser = new TestBrowser(harness.base);
    return { link, browser, page: await browser.get(link.path) };
  };
  const right = await open();
  expect(right.page.html).toContain('<label for="phone">Mobile phone</label>');
  expect(right.page.html).toContain('<label for="birth-date">Date of birth</label>');
  // An SMS link never asks: the phone is the contact's own address.
  expect((await new TestBrowser(harness.base).get((await harness.linkFor(MARISOL.phone)).path)).html).not.toContain(
    'Mobile phone',
  );

  const noPhone = await right.browser.submit(right.link.path, right.page, 'birth-date', {
    birthDate: jonas.birthDate,
  });
  expect(noPhone.status).toBe(422);
  expect(noPhone.html).toContain('Enter your mobile phone number with its area code');
  expect(noPhone.html).toContain('aria-invalid="true"');

  const wrong = await open();
  const wrongPage = await wrong.browser.submit(wrong.link.path, wrong.page, 'birth-date', {
    phone: '(555) 555-0102',
    birthDate: jonas.birthDate,
  });
  expect(harness.sentCodes).toHaveLength(sentBefore);
  const rightPage = await right.browser.submit(right.link.path, noPhone, 'birth-date', {
    phone: '(555) 555-0105',
    birthDate: jonas.birthDate,
  });
  expect(withoutCsrf(wrongPage.html)).toBe(withoutCsrf(rightPage.html));
  expect(harness.sentCodes).toHaveLength(sentBefore + 1);
  const sent = harness.sentCodes.at(-1)!;
  expect(sent).toMatchObject({ via: 'sms', address: jonas.phone, patientId: jonasId });

  expect((await right.browser.submit(right.link.path, rightPage, 'code', { code: sent.code })).status).toBe(303);
  expect(heading((await right.browser.get(right.link.path)).html)).toBe('Your appointments');
  expect(harness.verifiedContacts).toContainEqual({ contactId: right.link.contactId, patientId: jonasId });
});

test('the page is uncacheable, unindexed, framed by nobody, and its cookie is HttpOnly, SameSite=Strict, Secure over HTTPS', async () => {
  const link = await harness.linkFor(MARISOL.phone);
  const page = await new TestBrowser(harness.base).get(link.path);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('x-robots-tag')).toContain('noindex');
  const policy = page.headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"])
    expect(policy).toContain(directive);
  expect(policy).toMatch(/script-src 'sha256-[^']+'/);
  expect(page.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  const cookie = page.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^cc_secure=[A-Za-z0-9_-]{43};/);
  expect(cookie).toContain('HttpOnly');
  expect(cookie).toContain('SameSite=Strict');
  expect(cookie).toContain('Path=/s/');
  expect(cookie).not.toContain('Secure');

  const viaHttps = await fetch(`${harness.base}${link.path}`, { headers: { 'x-forwarded-proto': 'https' } });
  expect(viaHttps.headers.get('set-cookie')).toContain('Secure');
});

test('a form without its CSRF token, or with another browser’s, is refused and sends nothing', async () => {
  const link = await harness.linkFor(MARISOL.phone);
  const browser = new TestBrowser(harness.base);
  await browser.get(link.path);
  const other = new TestBrowser(harness.base);
  const otherPage = await other.get(link.path);
  const sentBefore = harness.sentCodes.length;

  const withoutToken = await browser.post(link.path, { step: 'birth-date', birthDate: MARISOL.birthDate });
  const foreignToken = await browser.submit(link.path, otherPage, 'birth-date', { birthDate: MARISOL.birthDate });
  for (const page of [withoutToken, foreignToken]) {
    expect(page.status).toBe(403);
    expect(heading(page.html)).toBe('This page has expired');
  }
  expect(harness.sentCodes).toHaveLength(sentBefore);
});

test('an unknown or malformed token gets a clear "not valid" page', async () => {
  const browser = new TestBrowser(harness.base);
  for (const path of ['/s/not-a-token', `/s/${'A'.repeat(43)}`]) {
    const page = await browser.get(path);
    expect(page.status).toBe(404);
    expect(heading(page.html)).toBe('This link does not work');
    expect(page.html).toContain('To get a new link, text us or reply in your chat.');
  }
});

test('a Spanish conversation gets the page and the code text in Spanish; typed dates are read day first', async () => {
  const link = await harness.linkFor(MARISOL.phone, 'es');
  const browser = new TestBrowser(harness.base);
  const opened = await browser.get(link.path);
  expect(opened.html).toContain('<html lang="es">');
  expect(opened.html).toContain('<label for="birth-date">Fecha de nacimiento</label>');
  const codePage = await browser.submit(link.path, opened, 'birth-date', { birthDate: '14/03/1985' });
  expect(codePage.html).toContain('<label for="code">Código de verificación</label>');
  expect(harness.sentCodes.at(-1)!.text).toMatch(/^Código de Riverside Family Medicine: \d{6}\. Vence en 5 minutos\./);
});

test('a whole visit leaves the token, code, date of birth and phone nowhere in the database, and an audit trail', async () => {
  const auditBefore = (await harness.auditActions()).length;
  const link = await harness.linkFor(MARISOL.phone);
  const token = link.path.slice('/s/'.length);
  const browser = new TestBrowser(harness.base);
  const wrong = await enterBirthDate(browser, link.path, '1990-01-01');
  await browser.submit(link.path, wrong, 'code', { code: '123456' });
  const content = await verifyIdentity(harness, browser, link.path, MARISOL.birthDate);
  await browser.submit(link.path, content, 'sign-out', { reason: 'manual' });
  const code = harness.sentCodes.at(-1)!.code;

  for (const table of [
    'secure_links',
    'otp_challenges',
    'rate_limit_counters',
    'audit_events',
    'contacts',
    'patients',
  ]) {
    const rows = await sql<{ row: unknown }>`select row_to_json(t) as row from ${sql.table(table)} t`.execute(
      harness.db,
    );
    const dump = JSON.stringify(rows.rows);
    for (const secret of [token, MARISOL.phone, MARISOL.birthDate, '1990-01-01', MARISOL.given, browser.cookie!])
      expect(dump).not.toContain(secret);
    if (table !== 'patients' && table !== 'contacts')
      expect(dump).not.toMatch(new RegExp(`"${code}"|[^\\d]${code}[^\\d]`));
  }
  expect((await harness.auditActions()).slice(auditBefore)).toEqual([
    'secure_link.issued',
    'identity.check_failed',
    'identity.check_failed',
    'identity.check_passed',
    'identity.verified',
    'secure_link.used',
    'phi.disclosed',
    'secure_link.closed',
  ]);
  const checks = await harness.db
    .selectFrom('audit_events')
    .select(['actor', 'patient_ref', 'details'])
    .where('action', 'like', 'identity.%')
    .orderBy('id', 'desc')
    .limit(4)
    .execute();
  expect(checks.map((event) => event.details)).toEqual([
    expect.objectContaining({ stage: 'code', linkId: link.id }),
    expect.objectContaining({ stage: 'birth_date', codeSent: true }),
    expect.objectContaining({ stage: 'code', attemptsLeft: 4 }),
    expect.objectContaining({ stage: 'birth_date', matches: 0 }),
  ]);
  expect(checks.every((event) => event.actor === `patient:${link.contactId}`)).toBe(true);
  expect(await harness.audit.verify(harness.db)).toEqual({ ok: true, events: expect.any(Number) });
});
