/**
 * A fault inside a flow (a throwing action) must not crash the worker or stall the conversation: the patient gets an
 * honest apology, the fault is logged without the message, and the next message is answered normally.
 */
import { type App, createApp } from '../../src/app';
import { prepareDatabase } from '../../src/db/prepare-database';
import { createActionRegistry } from '../../src/flows/actions';
import { createLogger } from '../../src/observability/logger';
import { DEMO_PRACTICE_ID } from '../../src/practice/demo-practice';
import { LogCapture } from '../support/log-capture';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { WebchatTestClient } from '../support/webchat-client';

let environment: TestEnvironment;
let app: App;
let url: string;
const logs = new LogCapture();

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  // Publish a parking flow whose action throws.
  const database = await prepareDatabase(environment.config, createLogger('silent'));
  const broken = {
    id: 'faq-parking',
    triggers: { intents: ['faq.parking'] },
    steps: [{ id: 'explode', action: 'explode' }, { id: 'never', say: { en: 'unreachable', es: 'inalcanzable' } }],
  };
  await database.db
    .updateTable('flow_versions')
    .set({ definition: JSON.stringify(broken) })
    .where('flow_id', '=', `${DEMO_PRACTICE_ID}:faq-parking`)
    .execute();
  await database.close();
  const explode = {
    name: 'explode',
    outcomes: [],
    run: () => {
      throw new Error('action blew up');
    },
  };
  app = await createApp(environment.config, {
    logDestination: logs,
    actions: createActionRegistry([explode]),
  });
  await app.startWorkers();
  url = `ws://127.0.0.1:${await app.listen(0)}/webchat`;
});

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

test('a throwing action yields an apology, a log line without text, and the conversation goes on', async () => {
  const client = await WebchatTestClient.connect(url);
  await client.hello();
  client.send({ type: 'message', clientMsgId: 'boom-000001', text: 'where do I park, Test Patient here?' });
  const [apology] = await client.waitForBotMessages(1);
  expect(String(apology!.text)).toMatch(/^Sorry, something went wrong on our side/);
  client.send({ type: 'message', clientMsgId: 'boom-000002', text: 'what are your hours?' });
  const replies = await client.waitForBotMessages(2);
  expect(String(replies[1]!.text)).toMatch(/^Our hours:/);
  const failure = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'turn failed');
  expect(failure).toMatchObject({ err: { type: 'DialogContextError' } });
  expect(logs.text()).not.toContain('Test Patient');
  expect(logs.text()).not.toContain('action blew up');
  client.close();
});
