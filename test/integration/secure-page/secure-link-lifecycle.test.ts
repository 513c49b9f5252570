/**
 * A link's life with a movable clock: it expires after 30 minutes, a newer link supersedes it, it opens once (after
 * sign-out, or in another browser, it refuses), idle sessions end after 5 minutes and any session after 30; codes
 * expire after 5 minutes. Issuing joins the caller's transaction, and the database itself keeps one live link per
 * conversation. The same life on PGlite.
 */
import { sql } from 'kysely';
import { SecurePageHarness, TestBrowser, enterBirthDate, heading, verifyIdentity } from './secure-page-harness';

const MINUTE = 60_000;
const NOOR = { given: 'Noor', family: 'Haddad', birthDate: '1979-11-02', phone: '+15555550102' };

let harness: SecurePageHarness;
beforeAll(async () => {
  harness = await SecurePageHarness.start({ birthDateStepMinimumMs: 0 });
  await harness.seedPatient(NOOR);
}, 60_000);
afterAll(async () => harness.close());

test('a link expires after 30 minutes with a clear message and a way to get a new one', async () => {
  const link = await harness.linkFor(NOOR.phone);
  const browser = new TestBrowser(harness.base);
  const opened = await browser.get(link.path);
  harness.clock.advance(30 * MINUTE);
  for (const page of [
    await browser.get(link.path),
    await browser.submit(link.path, opened, 'birth-date', { birthDate: NOOR.birthDate }),
  ]) {
    expect(page.status).toBe(410);
    expect(heading(page.html)).toBe('This link has expired');
    expect(page.html).toContain('To get a new link, text us or reply in your chat.');
  }
});

test('a newer link supersedes the old one, even one with an open session', async () => {
  const first = await harness.linkFor(NOOR.phone);
  const browser = new TestBrowser(harness.base);
  expect(heading(await verifyIdentity(harness, browser, first.path, NOOR.birthDate).then((page) => page.html))).toBe(
    'Your appointments',
  );

  const second = await harness.issueLink({ conversationId: first.conversationId, contactId: first.contactId });
  const old = await browser.get(first.path);
  expect(old.status).toBe(410);
  expect(heading(old.html)).toBe('This link was replaced');
  expect(heading((await new TestBrowser(harness.base).get(second.path)).html)).toBe('Confirm it’s you');
  const statuses = await harness.db
    .selectFrom('secure_links')
    .select(['id', 'status'])
    .where('conversation_id', '=', first.conversationId)
    .execute();
  expect(new Map(statuses.map((row) => [row.id, row.status]))).toEqual(
    new Map([
      [first.id, 'superseded'],
      [second.id, 'active'],
    ]),
  );
});

test('a link opens once: another browser is refused, and after sign-out the link is used up', async () => {
  const link = await harness.linkFor(NOOR.phone);
  const browser = new TestBrowser(harness.base);
  const content = await verifyIdentity(harness, browser, link.path, NOOR.birthDate);

  const elsewhere = await new TestBrowser(harness.base).get(link.path);
  expect(elsewhere.status).toBe(410);
  expect(heading(elsewhere.html)).toBe('This link was already used');

  const signedOut = await browser.submit(link.path, content, 'sign-out', { reason: 'manual' });
  expect(heading(signedOut.html)).toBe('You are signed out');
  const reused = await browser.get(link.path);
  expect(reused.status).toBe(410);
  expect(heading(reused.html)).toBe('This link was already used');
  expect(reused.html).toContain('To get a new link, text us or reply in your chat.');
});

test('5 minutes without activity signs the session out; activity keeps it alive; the page script can sign out too', async () => {
  const link = await harness.linkFor(NOOR.phone);
  const browser = new TestBrowser(harness.base);
  await verifyIdentity(harness, browser, link.path, NOOR.birthDate);
  harness.clock.advance(4 * MINUTE);
  expect(heading((await browser.get(link.path)).html)).toBe('Your appointments');
  harness.clock.advance(4 * MINUTE);
  expect(heading((await browser.get(link.path)).html)).toBe('Your appointments');
  harness.clock.advance(5 * MINUTE);
  const idle = await browser.get(link.path);
  expect(heading(idle.html)).toBe('You were signed out for your privacy');
  expect(heading((await browser.get(link.path)).html)).toBe('This link was already used');
  const row = await harness.db
    .selectFrom('secure_links')
    .select(['status', 'closed_reason'])
    .where('id', '=', link.id)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'closed', closed_reason: 'idle' });

  // The idle script posts the sign-out form with reason=idle.
  const second = await harness.linkFor(NOOR.phone);
  const page = await verifyIdentity(harness, browser, second.path, NOOR.birthDate);
  expect(page.html).toContain('data-idle-ms="300000"');
  const scripted = await browser.submit(second.path, page, 'sign-out', { reason: 'idle' });
  expect(heading(scripted.html)).toBe('You were signed out for your privacy');
});

test('a session ends after 30 minutes even with activity', async () => {
  const link = await harness.linkFor(NOOR.phone);
  const browser = new TestBrowser(harness.base);
  await verifyIdentity(harness, browser, link.path, NOOR.birthDate);
  for (let minutes = 4; minutes < 30; minutes += 4) {
    harness.clock.advance(4 * MINUTE);
    expect(heading((await browser.get(link.path)).html)).toBe('Your appointments');
  }
  harness.clock.advance(4 * MINUTE);
  expect(heading((await browser.get(link.path)).html)).toBe('You were signed out for your privacy');
});

test('a code expires after 5 minutes: the page asks for the date of birth again', async () => {
  const link = await harness.linkFor(NOOR.phone);
  const browser = new TestBrowser(harness.base);
  const codePage = await enterBirthDate(browser, link.path, NOOR.birthDate);
  const { code } = harness.sentCodes.at(-1)!;
  harness.clock.advance(5 * MINUTE);
  const late = await browser.submit(link.path, codePage, 'code', { code });
  expect(heading(late.html)).toBe('Confirm it’s you');
  expect(late.html).toContain('Your code has expired.');
  expect(heading((await browser.get(link.path)).html)).toBe('Confirm it’s you');
});

test('issue joins the caller’s transaction, and the database keeps one live link per conversation', async () => {
  const { contactId, conversationId } = await harness.seedConversation(NOOR.phone);
  await expect(
    harness.db.transaction().execute(async (transaction) => {
      await harness.links.issue(transaction, {
        practiceId: 'riverside-family-medicine',
        conversationId,
        contactId,
        topic: 'appointments',
      });
      throw new Error('the turn failed');
    }),
  ).rejects.toThrow('the turn failed');
  const count = async () =>
    (await harness.db.selectFrom('secure_links').select('id').where('conversation_id', '=', conversationId).execute())
      .length;
  expect(await count()).toBe(0);

  await harness.issueLink({ conversationId, contactId });
  await expect(
    sql`insert into secure_links (practice_id, conversation_id, contact_id, topic, token_hash, expires_at)
        values ('riverside-family-medicine', ${conversationId}, ${contactId}, 'appointments', 'x', now())`.execute(
      harness.db,
    ),
  ).rejects.toThrow(/secure_links_one_live/);
  // Concurrent issues queue on the conversation row: one live link, the rest superseded.
  await Promise.all([1, 2, 3].map(() => harness.issueLink({ conversationId, contactId })));
  const live = await harness.db
    .selectFrom('secure_links')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'active')
    .execute();
  expect(live).toHaveLength(1);
  expect(await count()).toBe(4);
});

test('PGlite: the migration applies and a link goes from issue to the withheld information', async () => {
  const embedded = await SecurePageHarness.start({ kind: 'pglite', birthDateStepMinimumMs: 0 });
  try {
    await embedded.seedPatient(NOOR);
    const link = await embedded.linkFor(NOOR.phone);
    const content = await verifyIdentity(embedded, new TestBrowser(embedded.base), link.path, NOOR.birthDate);
    expect(heading(content.html)).toBe('Your appointments');
  } finally {
    await embedded.close();
  }
}, 60_000);
