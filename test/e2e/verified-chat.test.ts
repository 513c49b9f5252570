/**
 * "Continue in a verified web chat" through the whole product, in headless Chromium: an SMS question about an
 * appointment gets a secure link; the page (date of birth, the code texted to the phone on record) shows the
 * appointment and links to /chat with a one-time code; there the web chat counts as verified, so the same question is
 * answered in the chat. The code leaves the address bar at once and works once: opened again it starts nothing
 * verified, and the question gets a secure link instead of the answer. A web chat visitor's own link asks for the
 * phone on record with the date of birth; after the code that same chat answers.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { App } from '../../src/app';
import { ask } from '../support/chat-transcript';
import { launchChromium } from '../support/headless-chromium';
import { LogCapture } from '../support/log-capture';
import { startTestApp } from '../support/test-app';
import { expectNoMarkers } from '../support/phi-canaries';
import { TextingPhone } from '../integration/twilio/texting-phone';
import { type TwilioProductSetup, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';

const PHONE = '+15555550123'; // demo "Test Patient", born 1980-04-02
const APPOINTMENT_DETAILS = ['Annual physical', 'Alvarez', 'Main Street Office'];

let setup: TwilioProductSetup;
let app: App;
let browser: Browser;
const logs = new LogCapture();

beforeAll(async () => {
  setup = await setUpTwilioProduct();
  ({ app } = await startTestApp(setup.environment.config, { logDestination: logs }, setup.port));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
    await app?.stop();
  } finally {
    await setup?.cleanup();
  }
}, 60_000);

/** Opens the secure link and passes the identity check (typing the phone when the page asks for it). */
async function verifyOnSecurePage(page: Page, phone: TextingPhone, link: string): Promise<void> {
  await page.goto(link);
  const sentBefore = phone.received().length;
  const phoneField = page.getByLabel('Mobile phone');
  if ((await phoneField.count()) > 0) await phoneField.fill('(555) 555-0123');
  await page.getByLabel('Date of birth').fill('1980-04-02');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Verification code').fill(await phone.codeAfter(sentBefore));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your upcoming appointments' }).waitFor();
}

async function openChatAt(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel('Type your message').waitFor({ state: 'visible' });
  return page;
}

test('after the secure page, the web chat answers the appointment question; the chat link works once', async () => {
  const patient = await browser.newContext();
  const stranger = await browser.newContext();
  try {
    const securePage = await patient.newPage();
    const phone = new TextingPhone(setup, PHONE);
    await verifyOnSecurePage(
      securePage,
      phone,
      phone.secureLinkIn(await phone.text('when is my next appointment?', 2)),
    );
    for (const detail of APPOINTMENT_DETAILS) await securePage.getByText(detail).first().waitFor();
    const chatLink = securePage.getByRole('link', { name: 'Continue in our secure chat' });
    const href = (await chatLink.getAttribute('href')) ?? '';
    expect(href).toMatch(new RegExp(`^${setup.publicUrl}/chat\\?continue=[A-Za-z0-9_-]{43}$`));

    await chatLink.click();
    await securePage.getByLabel('Type your message').waitFor({ state: 'visible' });
    await securePage.getByText('You are verified.').waitFor();
    expect(securePage.url()).toBe(`${setup.publicUrl}/chat`);
    const answer = await ask(securePage, 'when is my next appointment?');
    for (const detail of APPOINTMENT_DETAILS) expect(answer).toContain(detail);

    // The same code again, in another browser: refused, and that chat is an ordinary, unverified one.
    const reused = await openChatAt(stranger, href);
    await reused.getByText('That secure chat link has expired or was already used.').waitFor();
    const withheld = await ask(reused, 'when is my next appointment?');
    expect(withheld).toContain(`${setup.publicUrl}/s/`);
    for (const detail of APPOINTMENT_DETAILS) expect(withheld).not.toContain(detail);
  } finally {
    await patient.close();
    await stranger.close();
  }

  const verifiedChats = await app.database.db
    .selectFrom('verified_chat_handoffs')
    .select(['redeemed_at', 'conversation_id'])
    .where('redeemed_at', 'is not', null)
    .execute();
  expect(verifiedChats).toHaveLength(1);
  expectNoMarkers(['1980-04-02', 'Alvarez', 'Annual physical', 'continue='], 'logs', logs.text());
}, 120_000);

test('a web chat visitor proves who they are on the secure page (phone and date of birth); then the chat answers', async () => {
  const visitor = await browser.newContext();
  try {
    const chat = await openChatAt(visitor, `${setup.publicUrl}/chat`);
    const withheld = await ask(chat, 'when is my next appointment?');
    for (const detail of APPOINTMENT_DETAILS) expect(withheld).not.toContain(detail);
    const link = new RegExp(`${setup.publicUrl}/s/[A-Za-z0-9_-]{43}`).exec(withheld)?.[0];
    expect(link).toBeDefined();

    const securePage = await visitor.newPage();
    await verifyOnSecurePage(securePage, new TextingPhone(setup, PHONE), link!);
    for (const detail of APPOINTMENT_DETAILS) await securePage.getByText(detail).first().waitFor();

    const answer = await ask(chat, 'when is my next appointment?');
    for (const detail of APPOINTMENT_DETAILS) expect(answer).toContain(detail);
  } finally {
    await visitor.close();
  }
}, 120_000);
