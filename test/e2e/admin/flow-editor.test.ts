/**
 * The structured flow editor as a practice manager meets it, in headless Chromium against the whole product: the
 * readable path of 'appointment-book'; an English text edited into the draft; an empty text refused as typed; a
 * renamed step that others go to blocks publishing (the message names the step) until it is renamed back; steps
 * added, moved with the keyboard and deleted; every flow saved unchanged from its form stays the same. axe-core on
 * each page.
 */
import type { Browser, Page } from 'playwright-core';
import { escapeHtml } from '../../../src/web/html-escape';
import { accessibilityViolations } from '../../support/accessibility-scan';
import { launchChromium } from '../../support/headless-chromium';
import type { InboxHarness, SignedInStaff } from '../../integration/inbox/inbox-harness';
import { smsProductForThisFile } from '../scheduling/sms-product';
import { managerPage } from './manager-browser';

const product = smsProductForThisFile();
const BROKEN = "Flow 'appointment-book': step 'read-pick' goes to 'confirm', which does not exist";
let browser: Browser;
let harness: InboxHarness;
let manager: SignedInStaff;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, harness, manager } = await managerPage(browser, product));
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await browser?.close();
});

async function expectAccessible(): Promise<void> {
  expect(await accessibilityViolations(page, { seriousOnly: true })).toEqual([]);
}

async function draftFlow(id: string) {
  const draft = await product.app.content.releases.draft(product.app.practiceId);
  return draft?.content.flows.find((flow) => flow.id === id);
}

async function pathItems(): Promise<string[]> {
  return page.getByRole('region', { name: 'Path' }).getByRole('listitem').allInnerTexts();
}

/** Submits the flow's form; the POST's status: 303 saved, 400 refused. */
async function save(): Promise<number> {
  const response = page.waitForResponse((candidate) => candidate.request().method() === 'POST');
  await page.getByRole('button', { name: 'Save to draft' }).first().click();
  const status = (await response).status();
  await page.waitForLoadState();
  return status;
}

test('the path reads the flow; a renamed step that others go to blocks publishing until it is renamed back', async () => {
  const { releases } = product.app.content;
  const liveBefore = await releases.history(product.app.practiceId);
  await page.goto(`${product.setup.publicUrl}/admin`);
  await page.getByRole('link', { name: 'Flows' }).click();
  await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
  expect(await page.getByRole('row', { name: /appointment-book/ }).innerText()).toContain('appointment.book');
  await expectAccessible();

  await page.getByRole('link', { name: 'appointment-book', exact: true }).click();
  await page.getByRole('heading', { name: 'Flow: appointment-book', level: 1 }).waitFor();
  const path = await pathItems();
  expect(path[0]).toMatch(/^start: runs 'booking-start'; if 'unverified' → 'ask-existing', /);
  expect(path).toContain(
    "ask-existing: asks “I can help with that. First I need to confirm who you are: are you already a patient of {{practiceName}}?”; answers: “Yes” → 'verify', “No, I'm new” → 'new-patient'; any other answer asks again",
  );
  expect(path).toContain(
    "new-patient: says “Welcome! Let me take a few details so our front desk can register you and book your first visit.”; then 'ask-name'",
  );
  expect(path).toContain(
    "read-name: runs 'intake-answer' (field: name); if 'invalid' → 'ask-name'; otherwise 'ask-birth-date'",
  );
  expect(path).toContain("failed: hands the conversation to Front desk (reason: emr_failure); then 'failed-say'");
  expect(path.at(-1)).toBe('end: ends the flow');
  await expectAccessible();

  // An emptied text is refused, shown again as typed, with the step and field named.
  const english = page.getByLabel("Step 'new-patient': English text", { exact: true });
  const spanish = page.getByLabel("Step 'new-patient': Spanish text", { exact: true });
  await english.fill('');
  await spanish.fill('¡Bienvenida!');
  expect(await save()).toBe(400);
  await page.getByText("Flow 'appointment-book': step 'new-patient': the English text is empty").waitFor();
  expect(await spanish.inputValue()).toBe('¡Bienvenida!');
  await expectAccessible();

  const welcome = 'Welcome to the practice! A few details, and our front desk will book your first visit.';
  await english.fill(welcome);
  expect(await save()).toBe(303);
  await page.getByText('Saved to the draft.').waitFor();
  const edited = (await draftFlow('appointment-book'))!.steps.find((step) => step.id === 'new-patient');
  expect(edited).toEqual({ id: 'new-patient', say: { en: welcome, es: '¡Bienvenida!' } });

  // 'read-pick' goes to 'confirm' when a time is chosen: renaming 'confirm' breaks that reference.
  await page.getByLabel("Step 'confirm': Step id", { exact: true }).fill('confirm-booking');
  await save();
  await page.getByText('Saved to the draft.').waitFor();
  expect(await page.getByRole('alert').filter({ hasText: 'cannot be published' }).innerText()).toContain(BROKEN);
  expect(await pathItems()).toContainEqual(expect.stringContaining("'chosen' → 'confirm', which does not exist"));
  await expectAccessible();

  await page.getByRole('link', { name: 'Overview' }).click();
  expect(await page.getByRole('alert').innerText()).toContain(BROKEN);
  expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
  const refused = await harness.post(manager, '/admin/publish', { note: 'Broken' });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain(escapeHtml(BROKEN));
  expect(await releases.history(product.app.practiceId)).toEqual(liveBefore);

  await page.goto(`${product.setup.publicUrl}/admin/flows/appointment-book`);
  await page.getByLabel("Step 'confirm-booking': Step id", { exact: true }).fill('confirm');
  await save();
  await page.getByText('Saved to the draft.').waitFor();
  expect(await page.getByText('This flow cannot be published yet').count()).toBe(0);
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByLabel('What changed (for the history)').fill('New patient welcome');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published: patients get the new content now.').waitFor();
  const published = await releases.published(product.app.practiceId);
  expect(published!.version).toBe(liveBefore[0]!.version + 1);
  const live = published!.content.flows.find((flow) => flow.id === 'appointment-book')!;
  expect(live.steps.find((step) => step.id === 'new-patient')).toEqual(edited);
  expect(live.steps.map((step) => step.id)).toContain('confirm');
}, 120_000);

test('a step is added, filled in, moved with the keyboard and deleted', async () => {
  const ids = async () => (await draftFlow('faq-parking'))!.steps.map((step) => step.id);
  await page.goto(`${product.setup.publicUrl}/admin/flows/faq-parking`);
  await page.getByLabel('Kind of step').selectOption({ label: 'Says something' });
  await page.getByLabel('Id of the new step').fill('parking-tip');
  await page.getByLabel('Where').selectOption({ label: 'At the end' });
  await page.getByRole('button', { name: 'Add the step' }).click();
  await page.getByText("Step 'parking-tip' is added below. Fill it in, then save to draft.").waitFor();
  await expectAccessible();
  await page.getByLabel("Step 'parking-tip': English text", { exact: true }).fill('Bikes go by the door.');
  await page.getByLabel("Step 'parking-tip': Spanish text", { exact: true }).fill('Las bicis van junto a la puerta.');
  await save();
  await page.getByText('Saved to the draft.').waitFor();
  expect(await ids()).toEqual(['look-up', 'answer', 'parking-tip']);

  await page.getByRole('button', { name: "Move up: step 'parking-tip'" }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('Saved to the draft.').waitFor();
  expect(await ids()).toEqual(['look-up', 'parking-tip', 'answer']);
  expect(page.url()).toMatch(/#step-1$/);
  expect((await pathItems())[1]).toBe("parking-tip: says “Bikes go by the door.”; then 'answer'");

  await page.getByRole('button', { name: "Delete step 'parking-tip'" }).click();
  await page.getByText('Saved to the draft.').waitFor();
  expect(await ids()).toEqual(['look-up', 'answer']);
  expect(await page.getByRole('link', { name: 'parking-tip' }).count()).toBe(0);
}, 120_000);

test('every flow saved unchanged from its form stays the same', async () => {
  const { releases } = product.app.content;
  const published = await releases.published(product.app.practiceId);
  for (const flow of published!.content.flows) {
    await page.goto(`${product.setup.publicUrl}/admin/flows/${flow.id}`);
    expect(await save()).toBe(303);
  }
  expect((await releases.draft(product.app.practiceId))!.content.flows).toEqual(published!.content.flows);
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByText('No changes.').waitFor();
  await page.getByRole('button', { name: 'Discard the draft' }).click();
  await page.getByText('The draft was discarded.').waitFor();
}, 120_000);

test('an unknown flow is not found, and staff other than managers may not edit flows', async () => {
  expect((await harness.get(manager, '/admin/flows/no-such-flow')).status).toBe(404);
  const desk = await harness.signIn({ email: 'desk@example.test', name: 'Front Desk', role: 'front_desk' });
  expect((await harness.get(desk, '/admin/flows')).status).toBe(403);
  expect((await harness.post(desk, '/admin/flows/faq-parking', { op: 'save' })).status).toBe(403);
});
