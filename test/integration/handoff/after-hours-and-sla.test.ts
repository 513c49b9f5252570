/**
 * Business hours and the SLA, through the web chat with the product's clock moved: on a Sunday the patient asking
 * for a person is told when the office opens (the item waits, its SLA clock starting at the opening); on a Monday
 * morning an item left waiting past its target (3 s here) is re-escalated to a supervisor by its SLA timer, once.
 */
import { sql } from 'kysely';
import { type App, createApp } from '../../../src/app';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';
import { waitFor } from '../../support/wait-for';
import { WebchatTestClient } from '../../support/webchat-client';

// Sunday 2026-11-29 10:00 in New York (closed), then Monday 2026-11-30 10:00 (open 8 to 5).
const SUNDAY_MORNING = Date.parse('2026-11-29T15:00:00Z');
const MONDAY_MORNING = Date.parse('2026-11-30T15:00:00Z');
let shiftMs = SUNDAY_MORNING - Date.now();

let environment: TestEnvironment;
let app: App;
let url: string;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  app = await createApp(environment.config, { now: () => new Date(Date.now() + shiftMs) });
  // The front desk's reply target is 3 seconds here, so the timer fires during the test.
  await sql`update practices set profile = jsonb_set(profile, '{handoff,slaMinutes,front_desk}', '0.05')`.execute(
    app.database.db,
  );
  await app.startWorkers();
  url = `ws://127.0.0.1:${await app.listen(0)}/webchat`;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

async function askForPerson(): Promise<{ conversationId: string; terms: string }> {
  const client = await WebchatTestClient.connect(url);
  const welcome = await client.hello();
  client.send({ type: 'message', clientMsgId: `person-${Date.now()}`, text: 'can I talk to a real person?' });
  const messages = await client.waitForBotMessages(2);
  client.close();
  return { conversationId: String(welcome.conversationId), terms: String(messages[1]!.text) };
}

function itemOf(conversationId: string) {
  return app.database.db
    .selectFrom('handoff_requests')
    .select(['state', 'department', 'due_at', 'escalated_at'])
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
}

test('outside business hours the patient is told the next opening and the SLA clock starts then', async () => {
  const { conversationId, terms } = await askForPerson();
  expect(terms).toBe(
    'Our office is closed right now. A member of our front desk will reply here when we open, tomorrow at 8:00 AM. For anything urgent, call (555) 010-2000; in an emergency, call 911.',
  );
  const item = await itemOf(conversationId);
  expect(item).toMatchObject({ state: 'waiting', department: 'front_desk', escalated_at: null });
  // Monday 8:00 EST plus the 3-second target.
  expect(item.due_at!.toISOString()).toBe('2026-11-30T13:00:03.000Z');
});

test('in business hours an item waiting past its target is re-escalated once', async () => {
  shiftMs = MONDAY_MORNING - Date.now();
  const { conversationId, terms } = await askForPerson();
  expect(terms).toMatch(/^A member of our front desk will join this conversation and reply here within 1 minute\./);
  const escalated = await waitFor(
    async () => (await itemOf(conversationId)).escalated_at ?? undefined,
    20_000,
    'the re-escalation',
  );
  expect(escalated.getTime()).toBeGreaterThanOrEqual(MONDAY_MORNING);
  const breaches = await app.database.db
    .selectFrom('audit_events')
    .select('details')
    .where('action', '=', 'handoff.sla_breached')
    .execute();
  expect(breaches.filter((event) => event.details.conversation === conversationId)).toHaveLength(1);
  expect((await itemOf(conversationId)).state).toBe('waiting');
}, 30_000);
