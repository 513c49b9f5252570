/**
 * The secure page as a patient meets it on a phone, in headless Chromium with the page's CSP enforced: the link
 * opens, "Date of birth" and "Verification code" are filled by their labels, the withheld information shows with a
 * way to continue in the verified chat, and the page's own script signs the patient out when idle. Every page fits
 * the phone's width, has finger-sized controls and passes an axe-core scan.
 */
import { accessibilityViolations } from '../support/accessibility-scan';
import { launchChromium } from '../support/headless-chromium';
import { type Browser, type Page } from 'playwright-core';
import { SecurePageHarness } from '../integration/secure-page/secure-page-harness';

const IDLE_MS = 8_000;
const PATIENT = { given: 'Lucía', family: 'Fernández', birthDate: '1985-03-14', phone: '+15555550104' };
const PHONE_SCREEN = { width: 390, height: 844 };

let harness: SecurePageHarness | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  harness = await SecurePageHarness.start({
    realClock: true,
    birthDateStepMinimumMs: 300,
    idleTimeoutMs: IDLE_MS,
    verifiedChatUrl: async ({ conversationId }) => `/chat?conversation=${conversationId}`,
  });
  await harness.seedPatient(PATIENT);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await harness?.close();
  }
}, 60_000);

/** The page fits the phone's width and its controls are at least 44 CSS pixels tall. */
async function expectPhoneFriendly(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => {
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  expect(overflow).toBeLessThanOrEqual(0);
  for (const control of await page.locator('main input:not([type="hidden"]), main button, main a.button').all()) {
    expect((await control.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
  }
}

async function checkPage(page: Page, heading: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ state: 'visible' });
  expect(await accessibilityViolations(page)).toEqual([]);
  await expectPhoneFriendly(page);
}

test('on a phone: date of birth, texted code, the withheld information, then idle sign-out', async () => {
  if (!harness || !browser) throw new Error('set-up failed');
  const link = await harness.linkFor(PATIENT.phone);
  const context = await browser.newContext({
    viewport: PHONE_SCREEN,
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  const policyViolations: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
    await page.goto(`${harness.base}${link.path}`);
    await checkPage(page, 'Confirm it’s you');

    await page.getByLabel('Date of birth').fill(PATIENT.birthDate);
    await page.getByRole('button', { name: 'Continue' }).tap();
    await checkPage(page, 'Enter your code');
    await page.getByText('We sent a code to the phone on record.').waitFor();
    const code = harness.sentCodes.at(-1)?.code ?? '';
    expect(code).toMatch(/^\d{6}$/);

    await page.getByLabel('Verification code').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).tap();
    await page.getByText('That code is not right.').waitFor();
    await checkPage(page, 'Enter your code');

    await page.getByLabel('Verification code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).tap();
    await checkPage(page, 'Your appointments');
    expect(await page.getByRole('listitem').allTextContents()).toEqual([
      'Lucía Fernández: annual physical, Tuesday June 3 at 9:30 AM',
    ]);
    expect(await page.getByRole('link', { name: 'Continue in our secure chat' }).getAttribute('href')).toBe(
      `/chat?conversation=${link.conversationId}`,
    );

    // Nothing touched: the page's script signs out by itself.
    await page
      .getByRole('heading', { level: 1, name: 'You were signed out for your privacy' })
      .waitFor({ timeout: IDLE_MS * 3 });
    await checkPage(page, 'You were signed out for your privacy');
    // Opening the link again (from the text message) is refused.
    await page.goto(`${harness.base}${link.path}`);
    await checkPage(page, 'This link was already used');
    expect(policyViolations).toEqual([]);
  } finally {
    await context.close();
  }
}, 90_000);
