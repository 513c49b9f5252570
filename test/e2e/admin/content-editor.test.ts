/**
 * The content editor as a practice manager meets it, in headless Chromium against the whole product (Twilio fake):
 * Saturday hours typed as "9am–1pm" go to a draft, which the preview sandbox answers with while the web chat still
 * answers the old hours; publishing makes
 * the web chat and SMS answer the new ones; rolling back restores the old answer. A training phrase added in the
 * editor and published is what `concierge nlu parse` answers with. axe-core on each page.
 */
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations } from '../../support/accessibility-scan';
import { launchChromium } from '../../support/headless-chromium';
import { runCli } from '../../support/run-cli';
import { waitFor } from '../../support/wait-for';
import { postInboundMessage } from '../../integration/twilio/twilio-test-kit';
import { smsProductForThisFile } from '../scheduling/sms-product';
import { managerPage } from './manager-browser';

const product = smsProductForThisFile();
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  const signedIn = await managerPage(browser, product);
  await signedIn.harness.close();
  page = signedIn.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function expectAccessible(): Promise<void> {
  expect(await accessibilityViolations(page, { seriousOnly: true })).toEqual([]);
}

async function widgetAnswer(question: string): Promise<string> {
  const visitor = await browser.newPage();
  try {
    await visitor.goto(`${product.setup.publicUrl}/`);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    const chat = visitor.frameLocator('iframe[title^="Chat with"]');
    const box = chat.getByLabel('Type your message');
    await box.fill(question);
    await box.press('Enter');
    const answer = chat
      .getByRole('log')
      .getByText(/Saturday/)
      .last();
    await answer.waitFor();
    return await answer.innerText();
  } finally {
    await visitor.close();
  }
}

async function smsAnswer(from: string, question: string): Promise<string> {
  const before = product.setup.twilioApi.accepted().length;
  expect((await postInboundMessage(product.setup.publicUrl, from, question)).status).toBe(200);
  const reply = await waitFor(
    () =>
      product.setup.twilioApi
        .accepted()
        .slice(before)
        .find((request) => request.params.To === from),
    15_000,
    'the SMS answer',
  );
  return String(reply.params.Body);
}

test('Saturday hours: draft, publish, then rollback, seen by the web chat and SMS', async () => {
  const oldAnswer = await widgetAnswer('are you open saturday?');
  expect(oldAnswer).toMatch(/9:00 AM to 12:00 PM/);

  await page.goto(`${product.setup.publicUrl}/admin`);
  await page.getByRole('heading', { name: 'Content editor', level: 1 }).waitFor();
  await expectAccessible();
  await page.getByRole('link', { name: 'Opening hours' }).click();
  await expect(page.getByLabel('Saturday').inputValue()).resolves.toBe('9am–12pm');
  await expectAccessible();
  await page.getByLabel('Saturday').fill('9am–1pm');
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByText('Saved to the draft.').waitFor();
  expect(await widgetAnswer('are you open saturday?')).toBe(oldAnswer);

  // The sandbox runs the draft, clearly marked, while patients still get the old hours.
  await page.getByRole('link', { name: 'Preview' }).click();
  expect(await page.getByRole('note').innerText()).toContain('Nothing is sent to patients');
  await page.getByLabel('Type your message').fill('are you open saturday?');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('log', { name: 'Preview transcript' }).getByText('9:00 AM to 1:00 PM').waitFor();
  await expectAccessible();
  expect(await widgetAnswer('are you open saturday?')).toBe(oldAnswer);

  await page.getByRole('link', { name: 'Overview' }).click();
  expect(await page.getByRole('row', { name: /hours › saturday/ }).innerText()).toContain('13:00');
  await expectAccessible();
  await page.getByLabel('What changed (for the history)').fill('Saturday until 1pm');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published: patients get the new content now.').waitFor();
  expect(await widgetAnswer('are you open saturday?')).toMatch(/9:00 AM to 1:00 PM/);
  expect(await smsAnswer('+15555550161', 'are you open saturday?')).toMatch(/9:00 AM to 1:00 PM/);

  await page.getByRole('link', { name: 'History' }).click();
  await expectAccessible();
  await page.getByRole('link', { name: 'Changes in version 2' }).click();
  expect(await page.getByRole('row', { name: /saturday/ }).innerText()).toContain('12:00');
  await page.goBack();
  await page.getByRole('button', { name: 'Roll back to version 1' }).click();
  await page.getByText('Rolled back').waitFor();
  expect(await widgetAnswer('are you open saturday?')).toBe(oldAnswer);
  expect(await smsAnswer('+15555550162', 'are you open saturday?')).toMatch(/9:00 AM to 12:00 PM/);
}, 180_000);

test('a training phrase added to faq.hours and published is what concierge nlu parse answers with', async () => {
  const phrase = 'when does the front door get unlocked';
  const parse = async () =>
    (JSON.parse((await runCli(product.setup.environment.env, 'nlu', 'parse', phrase)).stdout) as { intent: string })
      .intent;
  expect(await parse()).not.toBe('faq.hours');
  await page.goto(`${product.setup.publicUrl}/admin/training`);
  await expectAccessible();
  await page.getByRole('link', { name: 'faq.hours', exact: true }).click();
  const english = page.getByLabel('English phrases (one per line)');
  await english.fill(`${await english.inputValue()}\n${phrase}`);
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByText('Saved to the draft.').waitFor();
  await expectAccessible();
  await page.goto(`${product.setup.publicUrl}/admin`);
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published: patients get the new content now.').waitFor();
  expect(await parse()).toBe('faq.hours');
}, 180_000);

test('the practice, location and FAQ forms keep what they do not change, and a written FAQ answer reaches the preview', async () => {
  await page.goto(`${product.setup.publicUrl}/admin/practice`);
  await expectAccessible();
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByText('Saved to the draft.').waitFor();
  await page
    .getByRole('link', { name: /Main|Riverside|Office/ })
    .first()
    .click();
  await expectAccessible();
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByText('Saved to the draft.').waitFor();
  await page.getByRole('link', { name: 'FAQ' }).click();
  await expectAccessible();
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByText('Saved to the draft.').waitFor();
  await page.getByRole('link', { name: 'Overview' }).click();
  // Saving the forms as shown changed nothing: every field survives the trip through the form.
  expect(await page.getByText('No changes.').isVisible()).toBe(true);

  await page.getByRole('link', { name: 'FAQ' }).click();
  await page.getByLabel('Answer about parking (English)').fill('Park behind the building, spaces 1 to 20.');
  await page.getByRole('button', { name: 'Save to draft' }).click();
  await page.getByText('Saved to the draft.').waitFor();
  await page.getByRole('link', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByLabel('Type your message').fill('where can I park?');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page
    .getByRole('log', { name: 'Preview transcript' })
    .getByText('Park behind the building, spaces 1 to 20.')
    .waitFor();
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('button', { name: 'Discard the draft' }).click();
  await page.getByText('The draft was discarded.').waitFor();
}, 180_000);
