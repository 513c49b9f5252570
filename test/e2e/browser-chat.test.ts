/**
 * The product as a patient meets it: `npm start` (src/server.ts) in a child process, the demo practice site in headless
 * Chromium, the widget's launcher, the chat frame and its answers; the transcript surviving a reload; Escape closing
 * the panel and returning focus; and an axe-core scan of the site and the chat.
 */
import { accessibilityViolations } from '../support/accessibility-scan';
import { launchChromium } from '../support/headless-chromium';
import { type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { findFreePort } from '../support/free-port';
import { type ProductProcess, startProduct } from '../support/product-process';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { ANSWER_TIMEOUT_MS, ask, readTranscript } from '../support/chat-transcript';
import { waitFor } from '../support/wait-for';

let environment: TestEnvironment | undefined;
let product: ProductProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  product = await startProduct({ ...environment.env, PORT: String(await findFreePort()) }, { readyTimeoutMs: 60_000 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
    await product?.stop();
  } finally {
    await environment?.cleanup();
  }
}, 60_000);

function baseUrl(): string {
  if (!product) throw new Error('the product did not start');
  return product.baseUrl;
}

function openBrowser(): Browser {
  if (!browser) throw new Error('the browser did not start');
  return browser;
}

async function openChat(page: Page): Promise<FrameLocator> {
  const launcher = page.getByRole('button', { name: 'Chat with us' });
  await launcher.click();
  expect(await launcher.getAttribute('aria-expanded')).toBe('true');
  const chat = page.frameLocator('iframe[title^="Chat with"]');
  await chat.getByLabel('Type your message').waitFor({ state: 'visible' });
  return chat;
}

/**
 * The next Saturday is a holiday a few times a year (the demo closes on July 4, Christmas and New Year's Day and
 * opens 8 to 12 on Christmas Eve); then the hours answer names the holiday instead of the regular hours.
 */
function saturdayAnswerPattern(now: Date): RegExp {
  const newYork = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
  });
  const dayParts = (date: Date) =>
    Object.fromEntries(newYork.formatToParts(date).map((part) => [part.type, part.value]));
  for (let ahead = 0; ahead < 7; ahead += 1) {
    const parts = dayParts(new Date(now.getTime() + ahead * 86_400_000));
    if (parts.weekday !== 'Sat') continue;
    const monthDay = `${parts.month}-${parts.day}`;
    if (monthDay === '12-24') return /8:00 AM to 12:00 PM/;
    if (['01-01', '07-04', '12-25'].includes(monthDay)) return /closed/i;
  }
  return /9:00 AM to 12:00 PM/;
}

async function isFocusedInItsRoot(element: Locator): Promise<boolean> {
  // The launcher lives in the widget's shadow root: the document's activeElement is the host, the root's is the button.
  return element.evaluate(
    (node: { getRootNode(): { activeElement?: unknown } }) => node.getRootNode().activeElement === node,
  );
}

test('a patient asks three questions in the widget, the transcript survives a reload, and Escape closes it', async () => {
  const context = await openBrowser().newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${baseUrl()}/`);
    const chat = await openChat(page);

    expect(await ask(chat, 'what time do you open on saturday?')).toMatch(saturdayAnswerPattern(new Date()));
    expect(await ask(chat, '¿aceptan Medicaid?')).toMatch(/aceptamos Medicaid/);
    expect(await ask(chat, 'I have crushing chest pain')).toMatch(/911/);

    const transcript = await readTranscript(chat);
    expect(transcript.filter((line) => line.speaker === 'You').map((line) => line.text)).toEqual([
      'what time do you open on saturday?',
      '¿aceptan Medicaid?',
      'I have crushing chest pain',
    ]);
    expect(transcript.map((line) => line.speaker)).toEqual([
      'You',
      'Assistant',
      'You',
      'Assistant',
      'You',
      'Assistant',
    ]);

    await page.reload();
    const restoredChat = await openChat(page);
    const restored = await waitFor(
      async () => {
        const lines = await readTranscript(restoredChat);
        return lines.length >= transcript.length ? lines : undefined;
      },
      ANSWER_TIMEOUT_MS,
      'the transcript to be restored',
    );
    expect(restored).toEqual(transcript);

    await restoredChat.getByLabel('Type your message').press('Escape');
    await page.locator('iframe[title^="Chat with"]').waitFor({ state: 'hidden' });
    const launcher = page.getByRole('button', { name: 'Chat with us' });
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await waitFor(() => isFocusedInItsRoot(launcher), 5_000, 'focus to return to the launcher');
  } finally {
    await context.close();
  }
}, 90_000);

test('the demo site and the chat have no serious or critical accessibility violations', async () => {
  // axe is injected as a script tag, which the pages' strict CSP would (rightly) block: this context bypasses CSP.
  const context = await openBrowser().newContext({ bypassCSP: true });
  try {
    const site = await context.newPage();
    await site.goto(`${baseUrl()}/`);
    await site.getByRole('button', { name: 'Chat with us' }).waitFor({ state: 'visible' });
    expect(await accessibilityViolations(site, { seriousOnly: true })).toEqual([]);
    // With the panel open (the frame's own content is scanned below, on /chat).
    await openChat(site);
    expect(await accessibilityViolations(site, { seriousOnly: true, runOptions: { iframes: false } })).toEqual([]);

    const chatPage = await context.newPage();
    await chatPage.goto(`${baseUrl()}/chat`);
    // The chat opened on its own (no embedding page): scanned with a question and its answer in the transcript.
    expect(await ask(chatPage, 'do you have parking?')).toMatch(/parking/i);
    expect(await accessibilityViolations(chatPage, { seriousOnly: true })).toEqual([]);
  } finally {
    await context.close();
  }
}, 90_000);
