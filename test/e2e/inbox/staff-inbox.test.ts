/**
 * The staff inbox as a front desk meets it, in headless Chromium against the whole product (Twilio fake for SMS):
 * `concierge staff add`, the first login (new password, TOTP enrolment with the manual key), the next login with a
 * code; a web chat visitor asking for a person appears in the inbox, is claimed and answered while the bot stays
 * quiet, then handed back; the same over SMS; a billing user is refused a front-desk conversation until break-glass
 * with a reason (audited), which an admin then reviews on a tablet and resets that user's password; a patient's HTML
 * shows as text; 15 idle minutes end the session. axe-core on each page.
 */
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from '../../support/accessibility-scan';
import { launchChromium } from '../../support/headless-chromium';
import { runCli } from '../../support/run-cli';
import { waitFor } from '../../support/wait-for';
import { processedInbound } from '../../integration/inbox/inbox-harness';
import { PATIENT_NUMBER, postInboundMessage } from '../../integration/twilio/twilio-test-kit';
import { smsProductForThisFile } from '../scheduling/sms-product';

/** The server's clock runs `shiftMs` ahead of real time (the idle test moves it on 15 minutes). */
let shiftMs = 0;
const product = smsProductForThisFile(undefined, { now: () => new Date(Date.now() + shiftMs) });
let browser: Browser;
const manualKeys = new Map<string, string>();

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function addStaff(email: string, name: string, role: string): Promise<string> {
  const result = await runCli(
    product.setup.environment.env,
    'staff',
    'add',
    '--email',
    email,
    '--name',
    name,
    '--role',
    role,
  );
  expect(result).toMatchObject({ code: 0 }); // on failure jest shows stderr with it
  return (JSON.parse(result.stdout) as { oneTimePassword: string }).oneTimePassword;
}

/** A code from the enrolled key; the server's clock moves on 30 s first, since each code is accepted once. */
function totpCode(email: string): string {
  shiftMs += 30_000;
  const totp = new TOTP({
    secret: Secret.fromBase32(manualKeys.get(email)!),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  return totp.generate({ timestamp: Date.now() + shiftMs });
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await accessibilityViolations(page, { seriousOnly: true })).toEqual([]);
}

/** First login: one-time password → new password → enrolment (manual key) → the queue. */
async function firstLogin(
  context: BrowserContext,
  email: string,
  oneTimePassword: string,
  scan = false,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${product.setup.publicUrl}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/inbox/login');
  if (scan) await expectAccessible(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(oneTimePassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/inbox/password');
  if (scan) await expectAccessible(page);
  await page.getByLabel('Current password').fill(oneTimePassword);
  await page.getByLabel('New password', { exact: true }).fill('a long new password 123');
  await page.getByLabel('Confirm new password').fill('a long new password 123');
  await page.getByRole('button', { name: 'Save password' }).click();
  await page.waitForURL('**/inbox/enroll');
  if (scan) await expectAccessible(page);
  expect(await page.getByRole('img', { name: 'QR code for your authenticator app' }).isVisible()).toBe(true);
  manualKeys.set(email, (await page.locator('#manual-key').innerText()).replace(/\s/g, ''));
  await page.getByLabel('One-time code').fill(totpCode(email));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/\/inbox$/);
  return page;
}

async function login(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${product.setup.publicUrl}/inbox/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('a long new password 123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/inbox/verify');
  await page.getByLabel('One-time code').fill(totpCode(email));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/inbox$/);
  return page;
}

async function widgetChat(page: Page) {
  await page.goto(`${product.setup.publicUrl}/`);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const chat = page.frameLocator('iframe[title^="Chat with"]');
  await chat.getByLabel('Type your message').waitFor({ state: 'visible' });
  return chat;
}

async function sayInWidget(chat: ReturnType<Page['frameLocator']>, text: string): Promise<void> {
  const box = chat.getByLabel('Type your message');
  await box.fill(text);
  await box.press('Enter');
}

let frontDesk: BrowserContext;
let inbox: Page;
let billingPage: Page;

test('concierge staff add, then the first login forces a new password and TOTP enrolment; the next login needs the code', async () => {
  const oneTimePassword = await addStaff('front.desk@example.test', 'Test Frontdesk', 'front_desk');
  frontDesk = await browser.newContext();
  const first = await firstLogin(frontDesk, 'front.desk@example.test', oneTimePassword, true);
  await expectAccessible(first);
  await first.getByRole('button', { name: 'Sign out' }).click();
  await first.waitForURL('**/inbox/login');
  inbox = await login(frontDesk, 'front.desk@example.test');
  expect(await inbox.getByRole('heading', { name: 'Queue', level: 1 }).isVisible()).toBe(true);
  await first.close();
}, 90_000);

test('a web chat visitor asking for a person reaches the inbox; the claim and reply reach the widget; the bot stays quiet until handed back', async () => {
  const visitor = await browser.newPage();
  const chat = await widgetChat(visitor);
  await sayInWidget(chat, 'can I talk to a real person?');
  // Live: the open queue page shows it without a reload.
  const item = inbox.locator('#queue a', { hasText: 'Web chat conversation' });
  await item.first().waitFor({ state: 'visible', timeout: 4_000 });
  const terms = chat.getByRole('log').getByText(/our front desk will (join this conversation|reply here when we open)/);
  await terms.waitFor();
  await expectAccessible(inbox);
  await item.first().click();
  await inbox.waitForURL(/\/inbox\/c\//);
  const conversationId = inbox.url().split('/inbox/c/')[1]!.split('?')[0]!;
  await inbox.getByRole('button', { name: 'Claim' }).click();
  await inbox.getByText('yours').waitFor();
  await inbox.getByLabel('Message to the patient').fill('Hello, this is Test Frontdesk. How can I help?');
  await inbox.getByRole('button', { name: 'Send', exact: true }).click();
  await chat.getByRole('log').getByText('Hello, this is Test Frontdesk. How can I help?').waitFor();
  await expectAccessible(inbox);

  // While a person owns it the bot says nothing, and a patient's HTML arrives in the inbox as text.
  const botLinesBefore = await chat.getByRole('log').locator('li, .message, p').count();
  let dialogs = 0;
  inbox.on('dialog', (dialog) => {
    dialogs += 1;
    void dialog.dismiss();
  });
  await sayInWidget(chat, '<img src=x onerror=alert(1)>');
  await inbox.locator('#transcript').getByText('<img src=x onerror=alert(1)>').waitFor();
  expect(await inbox.locator('#transcript img').count()).toBe(0);
  await sayInWidget(chat, 'what are your hours?');
  await processedInbound(product.app, conversationId, 3);
  await inbox.waitForTimeout(500);
  expect(await chat.getByRole('log').locator('li, .message, p').count()).toBe(botLinesBefore + 2);
  expect(dialogs).toBe(0);

  await inbox.getByRole('button', { name: 'Hand back to the bot' }).click();
  await inbox.getByText('The bot is answering this conversation.').waitFor();
  await sayInWidget(chat, 'are you open on saturday?');
  await chat
    .getByRole('log')
    .getByText(/Saturday/)
    .last()
    .waitFor();
  await visitor.close();
}, 90_000);

test('over SMS the staff reply arrives at the Twilio endpoint', async () => {
  const patient = '+15555550177';
  expect((await postInboundMessage(product.setup.publicUrl, patient, 'I want to talk to a person please')).status).toBe(
    200,
  );
  await inbox.goto(`${product.setup.publicUrl}/inbox`);
  const item = inbox.locator('#queue a', { hasText: 'SMS conversation' });
  await item.first().waitFor({ timeout: 10_000 });
  await item.first().click();
  await inbox.getByRole('button', { name: 'Claim' }).click();
  await inbox.getByLabel('Message to the patient').fill('Hi, this is the front desk. How can we help?');
  await inbox.getByRole('button', { name: 'Send', exact: true }).click();
  await inbox.getByText('Reply sent.').waitFor();
  const sent = await waitFor(
    () =>
      product.setup.twilioApi
        .accepted()
        .find(
          (request) =>
            request.params.To === patient && request.params.Body === 'Hi, this is the front desk. How can we help?',
        ),
    15_000,
    'the staff reply at Twilio',
  );
  expect(sent.params.From).toBeDefined();
  expect(PATIENT_NUMBER).not.toBe(patient);
}, 60_000);

test('a billing user gets 403 on a front-desk conversation unless using break-glass with a reason, which is audited', async () => {
  const front = await product.app.database.db
    .selectFrom('handoff_requests')
    .select('conversation_id')
    .where('department', '=', 'front_desk')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const billing = await browser.newContext();
  const page = await firstLogin(
    billing,
    'billing.person@example.test',
    await addStaff('billing.person@example.test', 'Test Billing', 'billing'),
  );
  const refused = await page.goto(`${product.setup.publicUrl}/inbox/c/${front.conversation_id}`);
  expect(refused?.status()).toBe(403);
  await expectAccessible(page);
  await page.getByLabel('Reason for access').fill('Patient called about a bill mentioned in this chat');
  await page.getByRole('button', { name: 'Open with break-glass' }).click();
  await page.getByRole('log', { name: 'Transcript' }).waitFor();
  const audited = await product.app.database.db
    .selectFrom('audit_events')
    .select(['actor', 'details'])
    .where('action', '=', 'inbox.break_glass')
    .execute();
  expect(audited).toHaveLength(1);
  expect(audited[0]!.details).toMatchObject({ conversation: front.conversation_id, role: 'billing' });
  const grant = await product.app.database.db
    .selectFrom('break_glass_grants')
    .select('reason_enc')
    .executeTakeFirstOrThrow();
  expect(grant.reason_enc).not.toContain('bill');
  billingPage = page;
}, 60_000);

test('on a tablet, an admin reviews the break-glass flag and resets a password, which signs that person out', async () => {
  const admin = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true });
  const page = await firstLogin(
    admin,
    'admin.person@example.test',
    await addStaff('admin.person@example.test', 'Test Admin', 'admin'),
  );
  const fitsTheScreen = () =>
    page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
  expect(await fitsTheScreen()).toBe(true);
  await page.getByRole('link', { name: '1 break-glass access waits for your review.' }).click();
  await page.waitForURL('**/inbox/admin');
  await expectAccessible(page);
  expect(await fitsTheScreen()).toBe(true);
  const flag = page.getByRole('row', { name: /Test Billing/ });
  expect(await flag.getByText('Patient called about a bill mentioned in this chat').isVisible()).toBe(true);
  await flag.getByRole('button', { name: /^Mark reviewed/ }).click();
  await page.getByText('No break-glass access waits for review.').waitFor();
  expect(await page.getByRole('row', { name: /Reviewed by Test Admin/ }).isVisible()).toBe(true);

  await page.getByRole('button', { name: 'Reset password of Test Billing' }).click();
  await page.getByRole('heading', { name: 'Password reset', level: 1 }).waitFor();
  await expectAccessible(page);
  const oneTimePassword = await page.locator('#one-time-password').innerText();
  await billingPage.reload();
  expect(new URL(billingPage.url()).pathname).toBe('/inbox/login');
  await billingPage.getByLabel('Email').fill('billing.person@example.test');
  await billingPage.getByLabel('Password', { exact: true }).fill('a long new password 123');
  await billingPage.getByRole('button', { name: 'Sign in' }).click();
  await billingPage.getByRole('alert').waitFor();
  expect(new URL(billingPage.url()).pathname).toBe('/inbox/login');
  await billingPage.getByLabel('Email').fill('billing.person@example.test');
  await billingPage.getByLabel('Password', { exact: true }).fill(oneTimePassword);
  await billingPage.getByRole('button', { name: 'Sign in' }).click();
  await billingPage.waitForURL('**/inbox/password');

  // The conversation page on the tablet too: everything within the screen's width.
  await page.goto(`${product.setup.publicUrl}/inbox`);
  await page.locator('#queue a').first().click();
  await page.getByRole('log', { name: 'Transcript' }).waitFor();
  expect(await fitsTheScreen()).toBe(true);
  const audited = await product.app.database.db
    .selectFrom('audit_events')
    .select('action')
    .where('action', 'in', ['inbox.break_glass_reviewed', 'staff.password_reset'])
    .execute();
  expect(audited.map((event) => event.action).sort()).toEqual(['inbox.break_glass_reviewed', 'staff.password_reset']);

  // Signed out, a content editor page leads to the login and back to that page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/inbox/login');
  await page.goto(`${product.setup.publicUrl}/admin/history`);
  expect(new URL(page.url()).pathname).toBe('/inbox/login');
  await page.getByLabel('Email').fill('admin.person@example.test');
  await page.getByLabel('Password', { exact: true }).fill('a long new password 123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('One-time code').fill(totpCode('admin.person@example.test'));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/admin/history');
  await billingPage.context().close();
  await admin.close();
}, 90_000);

test('after 15 idle minutes (a warning a minute before) the session ends and the page returns to login', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(`${product.setup.publicUrl}/inbox/login`);
  await page.getByLabel('Email').fill('front.desk@example.test');
  await page.getByLabel('Password', { exact: true }).fill('a long new password 123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('One-time code').fill(totpCode('front.desk@example.test'));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/inbox$/);
  await page.clock.fastForward('14:05');
  await page.getByRole('alertdialog').getByText('For privacy you will be signed out in 1 minute.').waitFor();
  shiftMs += 15 * 60_000 + 10_000;
  await page.clock.fastForward('01:00');
  await page.waitForURL('**/inbox/login?signed_out=idle');
  expect(await page.getByText('You were signed out after 15 minutes without activity.').isVisible()).toBe(true);
  await page.goto(`${product.setup.publicUrl}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/inbox/login');
  await context.close();
  await frontDesk.close();
}, 60_000);
