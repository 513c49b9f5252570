/**
 * A staff reply on Messenger after the 24-hour window, through the whole product (real webhook, inbox routes, outbox
 * and Messenger sender) against the fake Graph API on 127.0.0.1: within 7 days of the patient's last message it goes
 * with the HUMAN_AGENT tag; after 7 days the page says no reply can go, and one posted anyway is refused (nothing
 * reaches the outbox or Graph). The patient's last message is
 * aged in the database (conversations.last_inbound_at, what the sender reads) and in the fake alike. Made-up PSIDs.
 */
import crypto from 'node:crypto';
import type { App } from '../../../src/app';
import { GraphApiServer } from '../../fakes/graph/graph-api-server';
import { startTestApp } from '../../support/test-app';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';
import { waitFor } from '../../support/wait-for';
import { InboxHarness, type SignedInStaff, outboundTexts } from './inbox-harness';

const APP_SECRET = 'test-app-secret-not-real';
const PAGE_TOKEN = 'test-page-token-not-real';
const PAGE_ID = '100000000000001';
const PATIENT = '7200000000000101';
const HOUR_MS = 3_600_000;

let graph: GraphApiServer;
let environment: TestEnvironment;
let app: App;
let base: string;
let inbox: InboxHarness;
let staff: SignedInStaff;
let conversationId: string;

beforeAll(async () => {
  graph = await GraphApiServer.start({ pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET });
  graph.setLastUserMessageAt(PATIENT, new Date());
  environment = await createTestEnvironment('postgres', {
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: 'test-verify-token',
    META_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
    META_GRAPH_BASE_URL: graph.baseUrl,
  });
  ({ app, base } = await startTestApp(environment.config));
  inbox = InboxHarness.create(app, base);
  staff = await inbox.signIn({ email: 'front.desk@example.test', name: 'Test Frontdesk', role: 'front_desk' });
  conversationId = await patientAsksForPerson();
}, 60_000);

afterAll(async () => {
  await inbox?.close();
  await app?.stop();
  await environment?.cleanup();
  await graph?.stop();
});

/** The patient writes on Messenger (a signed webhook batch); the bot answers and a front-desk item opens. */
async function patientAsksForPerson(): Promise<string> {
  const body = Buffer.from(
    JSON.stringify({
      object: 'page',
      entry: [
        {
          id: PAGE_ID,
          time: Date.now(),
          messaging: [
            {
              sender: { id: PATIENT },
              recipient: { id: PAGE_ID },
              timestamp: Date.now(),
              message: { mid: 'm_staff_reply_1', text: 'can I talk to a real person?' },
            },
          ],
        },
      ],
    }),
  );
  const signature = `sha256=${crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const accepted = await fetch(`${base}/webhooks/messenger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  expect(accepted.status).toBe(200);
  await waitFor(() => graph.messages.length >= 2, 20_000, 'the bot answer and the handoff terms');
  const conversation = await app.database.db
    .selectFrom('conversations')
    .select('id')
    .where('channel', '=', 'messenger')
    .executeTakeFirstOrThrow();
  const item = await inbox.openItem(conversation.id);
  expect((await inbox.post(staff, `/inbox/items/${item.id}/claim`)).status).toBe(303);
  return conversation.id;
}

/** The patient last wrote `hours` ago, for us and for Meta alike. */
async function lastWroteHoursAgo(hours: number): Promise<void> {
  const at = new Date(Date.now() - hours * HOUR_MS);
  await app.database.db
    .updateTable('conversations')
    .set({ last_inbound_at: at })
    .where('id', '=', conversationId)
    .execute();
  graph.setLastUserMessageAt(PATIENT, at);
}

async function reply(text: string): Promise<void> {
  const response = await inbox.post(staff, `/inbox/c/${conversationId}/reply`, { text, mode: 'send' });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(`/inbox/c/${conversationId}?sent=as_is`);
}

async function settledStaffMessage(text: string) {
  return waitFor(
    async () => {
      const message = (await outboundTexts(app, conversationId)).find((row) => row.text === text);
      return message && !['queued', 'sending'].includes(message.status) ? message : undefined;
    },
    20_000,
    'the staff message to settle',
  );
}

test('more than 24 hours but under 7 days after the patient wrote, the reply goes with the HUMAN_AGENT tag', async () => {
  expect(graph.messages.every((message) => message.messagingType === 'RESPONSE')).toBe(true);
  await lastWroteHoursAgo(50);
  const page = await inbox.get(staff, `/inbox/c/${conversationId}`);
  expect(await page.text()).toContain(
    'the 24-hour window has closed: your reply goes with the human agent tag (up to 7 days)',
  );

  const text = 'Hi, this is Test Frontdesk. Sorry for the wait, how can I help?';
  await reply(text);
  const sent = await waitFor(
    () => graph.messages.find((message) => message.text === text),
    20_000,
    'the staff reply at Graph',
  );
  expect(sent).toMatchObject({ recipientId: PATIENT, messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  const request = graph.requests.find((recorded) => recorded.rawBody.includes('Sorry for the wait'))!;
  expect(JSON.parse(request.rawBody)).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  expect(await settledStaffMessage(text)).toMatchObject({ author: 'staff', status: 'sent' });
});

test('more than 7 days after the patient wrote, the page says no reply can go and a reply is refused before the outbox', async () => {
  await lastWroteHoursAgo(8 * 24);
  const page = await (await inbox.get(staff, `/inbox/c/${conversationId}`)).text();
  expect(page).toContain('Messenger takes no reply more than 7 days after the patient’s last message.');
  expect(page).not.toContain('id="reply-form"');
  const requestsBefore = graph.requests.length;
  const outboxBefore = (await outboundTexts(app, conversationId)).length;
  const text = 'Checking in on your question from last week.';
  const refused = await inbox.post(staff, `/inbox/c/${conversationId}/reply`, { text, mode: 'send' });
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('Messenger takes no reply more than 7 days after the patient’s last message');
  expect(await outboundTexts(app, conversationId)).toHaveLength(outboxBefore);
  expect(graph.requests).toHaveLength(requestsBefore);
});
