/**
 * The escalation rules through the web chat against the whole product on a Monday morning (office open): frustration
 * hands over with an apology and the terms; the emergency rule sends its instructions and opens an urgent item, and
 * still answers while a person owns the conversation, when ordinary messages get nothing from the bot; requests route
 * to the department that handles them (the practice's own routing first); two misses in a row lead to a person.
 */
import { sql } from 'kysely';
import type { App } from '../../../src/app';
import {
  type InboxHarness,
  type InboxProduct,
  WebchatPatient,
  mondayMorningClock,
  outboundTexts,
  processedInbound,
  startInboxProduct,
  stateOf,
} from '../inbox/inbox-harness';

const now = mondayMorningClock();

let product: InboxProduct;
let app: App;
let url: string;
let inbox: InboxHarness;

beforeAll(async () => {
  product = await startInboxProduct(now, async (started) => {
    // This practice sends records requests to billing (ours go to the front desk); set before any turn reads it.
    await sql`update practices set profile = jsonb_set(profile, '{handoff,routing}', '{"records_request": "billing"}')`.execute(
      started.database.db,
    );
  });
  ({ app, url, inbox } = product);
}, 60_000);

afterAll(async () => {
  await product?.stop();
});

function openItem(conversationId: string) {
  return app.database.db
    .selectFrom('handoff_requests')
    .select(['id', 'reason', 'department', 'state', 'priority', 'assignee_id'])
    .where('conversation_id', '=', conversationId)
    .where('state', '<>', 'closed')
    .executeTakeFirst();
}

const conversationState = (conversationId: string) => stateOf(app, conversationId);

test('a frustrated patient gets an apology and the terms, and a person is asked to take over', async () => {
  const patient = await WebchatPatient.connect(url);
  const replies = await patient.ask('this is ridiculous, nobody helps me', 2);
  expect(replies).toEqual([
    "I'm sorry this has been frustrating. Let me get you to a person.",
    'A member of our front desk will join this conversation and reply here within 15 minutes. For anything urgent, call (555) 010-2000.',
  ]);
  expect(await openItem(patient.conversationId)).toMatchObject({
    reason: 'frustration',
    department: 'front_desk',
    state: 'waiting',
    priority: 'normal',
  });
  expect(await conversationState(patient.conversationId)).toBe('waiting');
  patient.close();
});

test('chest pain gets the emergency instructions and opens an urgent item for the nurse line', async () => {
  const patient = await WebchatPatient.connect(url);
  const [instructions] = await patient.ask('I have chest pain');
  expect(instructions).toMatch(/^If this is an emergency, call 911/);
  await processedInbound(app, patient.conversationId, 1);
  // The instructions alone: no handoff terms after them.
  expect((await outboundTexts(app, patient.conversationId)).map((message) => message.text)).toEqual([instructions]);
  expect(await openItem(patient.conversationId)).toMatchObject({
    reason: 'emergency',
    department: 'nurse_line',
    state: 'waiting',
    priority: 'urgent',
  });
  patient.close();
});

test('while a person owns the conversation the bot stays quiet, except for emergency instructions', async () => {
  const staff = await inbox.signIn({ email: 'front.desk@example.test', name: 'Test Frontdesk', role: 'front_desk' });
  const patient = await WebchatPatient.connect(url);
  await patient.ask('can I talk to a real person?', 2);
  const item = await inbox.openItem(patient.conversationId);
  expect((await inbox.post(staff, `/inbox/items/${item.id}/claim`)).status).toBe(303);
  expect(await conversationState(patient.conversationId)).toBe('assigned');
  const botMessagesBefore = (await outboundTexts(app, patient.conversationId)).length;

  patient.send('what are your hours?');
  await processedInbound(app, patient.conversationId, 2);
  expect(await outboundTexts(app, patient.conversationId)).toHaveLength(botMessagesBefore);

  const [instructions] = await patient.ask('I have chest pain');
  expect(instructions).toMatch(/^If this is an emergency, call 911/);
  // The person keeps it; the item becomes urgent.
  expect(await openItem(patient.conversationId)).toMatchObject({
    id: item.id,
    state: 'assigned',
    assignee_id: staff.id,
    priority: 'urgent',
  });
  expect(await conversationState(patient.conversationId)).toBe('assigned');

  patient.send('ok, thank you');
  await processedInbound(app, patient.conversationId, 4);
  expect(await outboundTexts(app, patient.conversationId)).toHaveLength(botMessagesBefore + 1);
  patient.close();
});

interface RoutingCase {
  readonly what: string;
  /** What the patient says, and how many bot messages answer each. */
  readonly messages: ReadonlyArray<readonly [string, number]>;
  readonly reason: string;
  readonly department: string;
  readonly team: string;
}

const ROUTING_CASES: readonly RoutingCase[] = [
  {
    what: 'a refill request goes to the nurse line',
    messages: [['i need a refill of my prescription', 2]],
    reason: 'prescription_refill',
    department: 'nurse_line',
    team: 'our nurse team',
  },
  {
    what: 'a results question goes to the nurse line',
    messages: [['are my lab results back?', 2]],
    reason: 'results_inquiry',
    department: 'nurse_line',
    team: 'our nurse team',
  },
  {
    what: 'asking for a person after a billing question goes to billing',
    messages: [
      ['i have a question about my bill', 1],
      ['can I talk to a real person?', 2],
    ],
    reason: 'patient_asked',
    department: 'billing',
    team: 'our billing office',
  },
  {
    what: 'an appointment confirmation the bot cannot match goes to the front desk',
    messages: [['confirm my appointment', 2]],
    reason: 'appointments',
    department: 'front_desk',
    team: 'our front desk',
  },
  {
    what: "a records request follows the practice's routing (billing) over ours (front desk)",
    messages: [['i need a copy of my medical records', 2]],
    reason: 'records_request',
    department: 'billing',
    team: 'our billing office',
  },
];

test.each(ROUTING_CASES)('routing: $what', async ({ messages, reason, department, team }) => {
  const patient = await WebchatPatient.connect(url);
  let replies: string[] = [];
  for (const [text, count] of messages) replies = await patient.ask(text, count);
  // The terms come last and name the team that will answer.
  expect(replies.at(-1)).toMatch(new RegExp(`^A member of ${team} will join this conversation`));
  expect(await openItem(patient.conversationId)).toMatchObject({ reason, department, state: 'waiting' });
  patient.close();
});

test('two misses in a row offer a person, and accepting opens an item routed by the earlier request', async () => {
  const patient = await WebchatPatient.connect(url);
  await patient.ask('how do i pay my bill');
  const [rephrase] = await patient.ask('blorft quazzle mip');
  expect(rephrase).toMatch(/^Sorry, I didn't quite get that\./);
  const [offer] = await patient.ask('zorvex plimb wug');
  expect(offer).toBe("I'm still not sure I understand. Would you like a member of our staff to get back to you?");
  expect(await openItem(patient.conversationId)).toBeUndefined();

  const replies = await patient.ask('yes', 2);
  expect(replies).toEqual([
    "I've asked our team to follow up with you here.",
    expect.stringMatching(
      /^A member of our billing office will join this conversation and reply here within 4 hours\./,
    ),
  ]);
  expect(await openItem(patient.conversationId)).toMatchObject({
    reason: 'not_understood',
    department: 'billing',
    state: 'waiting',
  });
  patient.close();
});

test('two misses in a row with nothing asked before go to the front desk', async () => {
  const patient = await WebchatPatient.connect(url);
  await patient.ask('blorft quazzle mip');
  await patient.ask('zorvex plimb wug');
  const [, terms] = await patient.ask('yes', 2);
  expect(terms).toMatch(/^A member of our front desk will join this conversation/);
  expect(await openItem(patient.conversationId)).toMatchObject({ reason: 'not_understood', department: 'front_desk' });
  patient.close();
});
