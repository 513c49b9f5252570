/**
 * What staff do with inbox items, against the whole product on a Monday morning (office open): transfer to another
 * department with a sealed note, internal notes, closing with an outcome, canned responses kept by managers, replies
 * sent as a secure link (chosen, or because the text looks like health information), and round-robin assignment up
 * to each person's capacity. Patients write through the real web chat and the dev outbox; staff act through the
 * app's /inbox routes and the inbox services built from the app's parts. Made-up people and numbers.
 */
import { sql } from 'kysely';
import type { App } from '../../../src/app';
import { ValidationError } from '../../../src/errors';
import { ForbiddenError } from '../../../src/inbox/staff-scope';
import { writeInAsPatient } from '../../support/test-app';
import { waitFor } from '../../support/wait-for';
import {
  type InboxHarness,
  type InboxProduct,
  type SignedInStaff,
  WebchatPatient,
  mondayMorningClock,
  outboundTexts,
  processedInbound,
  startInboxProduct,
  stateOf,
  unseal,
} from './inbox-harness';

const now = mondayMorningClock();

let product: InboxProduct;
let app: App;
let url: string;
let inbox: InboxHarness;
let frontDesk: SignedInStaff;
let nurse: SignedInStaff;
let manager: SignedInStaff;

beforeAll(async () => {
  product = await startInboxProduct(now);
  ({ app, url, inbox } = product);
  frontDesk = await inbox.signIn({ email: 'front.desk@example.test', name: 'Test Frontdesk', role: 'front_desk' });
  nurse = await inbox.signIn({ email: 'nurse@example.test', name: 'Test Nurse', role: 'nurse' });
  manager = await inbox.signIn({ email: 'manager@example.test', name: 'Test Manager', role: 'practice_manager' });
}, 60_000);

afterAll(async () => {
  await product?.stop();
});

/** A web chat visitor who asked for a person: their conversation now has a waiting front-desk item. */
async function escalatedPatient(): Promise<{ patient: WebchatPatient; itemId: number }> {
  const patient = await WebchatPatient.connect(url);
  const [acknowledged, terms] = await patient.ask('can I talk to a real person?', 2);
  expect(acknowledged).toMatch(/let our team know/);
  expect(terms).toMatch(/^A member of our front desk will join this conversation and reply here within 15 minutes\./);
  const item = await inbox.openItem(patient.conversationId);
  return { patient, itemId: item.id };
}

function itemRow(itemId: number) {
  return app.database.db.selectFrom('handoff_requests').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow();
}

const conversationState = (conversationId: string) => stateOf(app, conversationId);

function auditOf(action: string) {
  return app.database.db
    .selectFrom('audit_events')
    .select(['actor', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

async function listedItemIds(staff: SignedInStaff): Promise<number[]> {
  return (await inbox.queue.list(await inbox.context(staff))).map((item) => item.itemId);
}

test('a transfer to the nurse line moves the item with a sealed, audited note; the front desk no longer lists it', async () => {
  const { patient, itemId } = await escalatedPatient();
  expect(await itemRow(itemId)).toMatchObject({ department: 'front_desk', state: 'waiting' });
  expect(await listedItemIds(frontDesk)).toContain(itemId);
  expect(await listedItemIds(nurse)).not.toContain(itemId);

  const note = 'Asking about a refill of a blood pressure medicine; please call back.';
  const response = await inbox.post(frontDesk, `/inbox/items/${itemId}/transfer`, {
    to: 'department:nurse_line',
    note,
  });
  expect(response.status).toBe(303);

  expect(await itemRow(itemId)).toMatchObject({ department: 'nurse_line', state: 'waiting', assignee_id: null });
  const notes = await app.database.db
    .selectFrom('inbox_notes')
    .select(['staff_id', 'body_enc'])
    .where('conversation_id', '=', patient.conversationId)
    .execute();
  expect(notes).toHaveLength(1);
  expect(notes[0]!.staff_id).toBe(frontDesk.id);
  expect(notes[0]!.body_enc).not.toContain('refill');
  expect(unseal(app, notes[0]!.body_enc)).toBe(note);
  const transfers = await auditOf('inbox.transferred');
  expect(transfers).toEqual([
    {
      actor: `staff:${frontDesk.id}`,
      details: { item: itemId, conversation: patient.conversationId, to: 'nurse_line' },
    },
  ]);
  expect(JSON.stringify(transfers)).not.toContain('refill');

  expect(await listedItemIds(frontDesk)).not.toContain(itemId);
  const nurseQueue = await inbox.queue.list(await inbox.context(nurse));
  expect(nurseQueue.find((item) => item.itemId === itemId)).toMatchObject({
    department: 'nurse_line',
    state: 'waiting',
  });

  // A transfer without a note for the next person is refused, and changes nothing.
  await expect(
    inbox.queue.transfer(await inbox.context(nurse), itemId, { department: 'billing', note: '   ' }),
  ).rejects.toBeInstanceOf(ValidationError);
  expect((await itemRow(itemId)).department).toBe('nurse_line');
  patient.close();
});

test('an internal note is stored sealed and shown on the conversation page to staff in scope only', async () => {
  const { patient } = await escalatedPatient();
  const note = 'Prefers a call back after 3 pm & speaks Spanish at home';
  const added = await inbox.post(frontDesk, `/inbox/c/${patient.conversationId}/notes`, { text: note });
  expect(added.status).toBe(303);
  expect(added.headers.get('location')).toBe(`/inbox/c/${patient.conversationId}`);

  const stored = await app.database.db
    .selectFrom('inbox_notes')
    .select('body_enc')
    .where('conversation_id', '=', patient.conversationId)
    .executeTakeFirstOrThrow();
  expect(stored.body_enc).not.toContain('Spanish');
  expect(unseal(app, stored.body_enc)).toBe(note);
  const audited = await auditOf('inbox.note_added');
  expect(audited.filter((event) => event.details.conversation === patient.conversationId)).toEqual([
    { actor: `staff:${frontDesk.id}`, details: { conversation: patient.conversationId } },
  ]);

  const page = await inbox.get(frontDesk, `/inbox/c/${patient.conversationId}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Prefers a call back after 3 pm &amp; speaks Spanish at home');
  expect(html).toContain('Test Frontdesk');
  // The nurse line does not work this front-desk conversation: the page asks for break-glass, without the note.
  const refused = await inbox.get(nurse, `/inbox/c/${patient.conversationId}`);
  expect(refused.status).toBe(403);
  expect(await refused.text()).not.toContain('Spanish');
  patient.close();
});

test('closing with an outcome ends the item and gives the conversation back to the bot; an unknown outcome is refused', async () => {
  const { patient, itemId } = await escalatedPatient();
  expect((await inbox.post(frontDesk, `/inbox/items/${itemId}/claim`)).status).toBe(303);
  expect(await itemRow(itemId)).toMatchObject({ state: 'assigned', assignee_id: frontDesk.id });
  expect(await conversationState(patient.conversationId)).toBe('assigned');

  await expect(inbox.queue.close(await inbox.context(frontDesk), itemId, 'fixed')).rejects.toThrow(ValidationError);
  await expect(inbox.queue.close(await inbox.context(frontDesk), itemId, 'fixed')).rejects.toThrow(
    /^outcome must be one of resolved, appointment_booked, callback_arranged, no_response, duplicate$/,
  );
  expect((await inbox.post(frontDesk, `/inbox/items/${itemId}/close`, { outcome: 'fixed' })).status).toBe(400);
  expect(await itemRow(itemId)).toMatchObject({ state: 'assigned', outcome: null });

  const closed = await inbox.post(frontDesk, `/inbox/items/${itemId}/close`, { outcome: 'appointment_booked' });
  expect(closed.status).toBe(303);
  const item = await itemRow(itemId);
  expect(item).toMatchObject({ state: 'closed', outcome: 'appointment_booked' });
  expect(item.closed_at).not.toBeNull();
  expect(await conversationState(patient.conversationId)).toBe('bot');
  const audited = await auditOf('inbox.closed');
  expect(audited.filter((event) => event.details.item === itemId)).toEqual([
    {
      actor: `staff:${frontDesk.id}`,
      details: { item: itemId, conversation: patient.conversationId, outcome: 'appointment_booked' },
    },
  ]);
  expect(await listedItemIds(frontDesk)).not.toContain(itemId);

  // The bot answers the same conversation again.
  const [answer] = await patient.ask('what are your hours?');
  expect(answer).toMatch(/^Our hours:/);
  patient.close();
});

test('practice managers create and edit canned responses; the front desk is refused with 403', async () => {
  const created = await inbox.post(manager, '/inbox/canned', {
    title: 'Parking',
    body: 'Free parking is behind the building.',
  });
  expect(created.status).toBe(303);
  await inbox.canned.save(
    await inbox.context(manager),
    'Parking',
    'Free parking is behind the building, entrance on Test Street.',
  );
  expect(await inbox.canned.list(app.practiceId)).toEqual([
    { id: expect.any(String), title: 'Parking', body: 'Free parking is behind the building, entrance on Test Street.' },
  ]);
  const managerPage = await inbox.get(manager, '/inbox/canned');
  expect(managerPage.status).toBe(200);
  expect(await managerPage.text()).toContain('entrance on Test Street.');

  const refusal = inbox.canned.save(await inbox.context(frontDesk), 'Parking', 'Park anywhere you like.');
  await expect(refusal).rejects.toBeInstanceOf(ForbiddenError);
  await expect(refusal).rejects.toMatchObject({ status: 403 });
  expect((await inbox.post(frontDesk, '/inbox/canned', { title: 'Hours', body: 'We open at 8.' })).status).toBe(403);
  expect((await inbox.get(frontDesk, '/inbox/canned')).status).toBe(403);

  expect(await inbox.canned.list(app.practiceId)).toEqual([
    expect.objectContaining({
      title: 'Parking',
      body: 'Free parking is behind the building, entrance on Test Street.',
    }),
  ]);
  const saved = await auditOf('inbox.canned_saved');
  expect(saved.map((event) => event.actor)).toEqual([`staff:${manager.id}`, `staff:${manager.id}`]);
});

test('"Send as secure link" in the web chat sends a secure-link offer, never the text, which is kept sealed', async () => {
  const { patient, itemId } = await escalatedPatient();
  expect((await inbox.post(frontDesk, `/inbox/items/${itemId}/claim`)).status).toBe(303);
  const text = 'Dr. Test left you a message about your visit.';
  const sent = await inbox.post(frontDesk, `/inbox/c/${patient.conversationId}/reply`, { text, mode: 'secure' });
  expect(sent.status).toBe(303);
  expect(sent.headers.get('location')).toBe(`/inbox/c/${patient.conversationId}?sent=secure_link`);

  const offer = await waitFor(() => patient.staffMessages()[0], 15_000, 'the staff message in the web chat');
  expect(String(offer.text)).toMatch(
    /^I can show you that on a secure page: http\S+ \(we will ask for your date of birth and a code\)\.$/,
  );
  expect(String(offer.text)).not.toContain('Dr. Test');
  const sealed = await app.database.db
    .selectFrom('staff_secure_messages')
    .select('body_enc')
    .where('conversation_id', '=', patient.conversationId)
    .execute();
  expect(sealed).toHaveLength(1);
  expect(sealed[0]!.body_enc).not.toContain('Dr. Test');
  expect(unseal(app, sealed[0]!.body_enc)).toBe(text);
  const outbound = await outboundTexts(app, patient.conversationId);
  expect(outbound.some((message) => message.text.includes('Dr. Test'))).toBe(false);
  const replied = await auditOf('inbox.replied');
  expect(replied.filter((event) => event.details.conversation === patient.conversationId)).toEqual([
    {
      actor: `staff:${frontDesk.id}`,
      details: { conversation: patient.conversationId, classification: 'phi', delivery: 'secure_link' },
    },
  ]);
  patient.close();
});

test('a reply that looks like health information goes as a secure link on SMS without PHI consent; plain text goes as is', async () => {
  expect(await writeInAsPatient(inbox.base, '+15555550142', 'hello there')).toBe(303);
  const conversation = await waitFor(
    () => app.database.db.selectFrom('conversations').select('id').where('channel', '=', 'sms').executeTakeFirst(),
    15_000,
    'the SMS conversation',
  );
  await processedInbound(app, conversation.id, 1);
  const before = (await outboundTexts(app, conversation.id)).length;

  const phi = await inbox.post(frontDesk, `/inbox/c/${conversation.id}/reply`, {
    text: 'Your lab results are ready.',
    mode: 'send',
  });
  expect(phi.headers.get('location')).toBe(`/inbox/c/${conversation.id}?sent=secure_link`);
  const withheld = await waitFor(
    async () => {
      const rows = (await outboundTexts(app, conversation.id)).slice(before);
      return rows.length === 2 && rows.every((row) => row.status === 'delivered') ? rows : undefined;
    },
    15_000,
    'the secure-link offer and the consent question to be delivered',
  );
  expect(withheld.map((row) => row.author)).toEqual(['staff', 'bot']);
  expect(withheld[0]!.text).toMatch(/^I can show you that on a secure page: http\S+ /);
  expect(withheld[1]!.text).toMatch(/^Would you like us to text you answers that include your health information/);
  expect(withheld.some((row) => row.text.includes('lab results'))).toBe(false);
  const sealed = await app.database.db
    .selectFrom('staff_secure_messages')
    .select('body_enc')
    .where('conversation_id', '=', conversation.id)
    .executeTakeFirstOrThrow();
  expect(unseal(app, sealed.body_enc)).toBe('Your lab results are ready.');

  const plain = await inbox.post(frontDesk, `/inbox/c/${conversation.id}/reply`, {
    text: 'Thanks for waiting, we will call you shortly.',
    mode: 'send',
  });
  expect(plain.headers.get('location')).toBe(`/inbox/c/${conversation.id}?sent=as_is`);
  const last = await waitFor(
    async () => (await outboundTexts(app, conversation.id)).slice(before + 2).find((row) => row.status === 'delivered'),
    15_000,
    'the plain reply to be delivered',
  );
  expect(last).toMatchObject({ author: 'staff', text: 'Thanks for waiting, we will call you shortly.' });
});

test('round-robin alternates between available, signed-in front-desk staff, skips whoever is at capacity, and leaves the item waiting when everyone is', async () => {
  const first = await inbox.signIn({ email: 'rr.first@example.test', name: 'Test First', role: 'front_desk' });
  const second = await inbox.signIn({ email: 'rr.second@example.test', name: 'Test Second', role: 'front_desk' });
  // Available but not signed in, and signed in but in another department: neither may take a front-desk item.
  const away = await inbox.addAccount({ email: 'rr.away@example.test', name: 'Test Away', role: 'front_desk' });
  await inbox.queue.setAvailable(await inbox.context(away), true);
  for (const person of [first, second, nurse]) {
    expect((await inbox.post(person, '/inbox/availability', { available: 'yes' })).status).toBe(303);
    expect((await inbox.context(person)).available).toBe(true);
  }
  const db = app.database.db;
  await db.updateTable('staff_users').set({ capacity: 2 }).where('id', '=', first.id).execute();
  await db.updateTable('staff_users').set({ capacity: 3 }).where('id', '=', second.id).execute();
  // Who has waited longest since their last assignment goes first: `first`, so the order is known.
  await sql`update staff_users set last_assigned_at = '2026-01-01T00:00:00Z' where id = ${first.id}`.execute(db);
  await sql`update staff_users set last_assigned_at = '2026-01-02T00:00:00Z' where id = ${second.id}`.execute(db);

  const assignees: Array<string | null> = [];
  const patients: WebchatPatient[] = [];
  for (let escalation = 0; escalation < 6; escalation++) {
    const { patient, itemId } = await escalatedPatient();
    patients.push(patient);
    const item = await itemRow(itemId);
    assignees.push(item.assignee_id);
    expect(await conversationState(patient.conversationId)).toBe(item.assignee_id ? 'assigned' : 'waiting');
  }
  // first, second, first, second; then first is at capacity (2) so second takes a third; then both are full.
  expect(assignees).toEqual([first.id, second.id, first.id, second.id, second.id, null]);
  const lastItem = await inbox.openItem(patients[5]!.conversationId);
  expect(lastItem).toMatchObject({ state: 'waiting', assignee_id: null, department: 'front_desk' });
  for (const patient of patients) patient.close();
}, 60_000);
