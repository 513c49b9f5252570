/**
 * Issue 8's acceptance, as a practice would try it: the product with NLU_PROVIDER=dialogflow and
 * DIALOGFLOW_API_ENDPOINT pointing at a Dialogflow-compatible gRPC server on this machine. Web chat and SMS answer
 * through it; the endpoint sees sessions without phone numbers and masked text; stopping it mid-conversation leaves
 * the local engine answering (the fallback metric rises), and starting it again brings Dialogflow back after the
 * breaker's cool-down.
 */
import { type App, createApp } from '../../src/app';
import { LocalNluEngine } from '../../src/nlu/local-nlu-engine';
import { loadTrainingData } from '../../src/nlu/training-data';
import { INTENTS_DIR } from '../../src/project-paths';
import { DialogflowServer } from '../fakes/dialogflow/dialogflow-server';
import { localModelAnswers } from '../fakes/dialogflow/local-model-answers';
import { type TwilioProductSetup, postInboundMessage, setUpTwilioProduct } from '../integration/twilio/twilio-test-kit';
import { LogCapture } from '../support/log-capture';
import { waitFor } from '../support/wait-for';
import { WebchatTestClient } from '../support/webchat-client';

const PATIENT_PHONE = '+15555550177';
const COOL_DOWN_MS = 2000;

let agent: LocalNluEngine;
let dialogflow: DialogflowServer;
let setup: TwilioProductSetup;
let app: App;
const logs = new LogCapture();

beforeAll(async () => {
  agent = new LocalNluEngine({ loadTrainingData: () => loadTrainingData(INTENTS_DIR) });
  await agent.train();
  dialogflow = await DialogflowServer.start({ answer: localModelAnswers(agent) });
  setup = await setUpTwilioProduct({
    NLU_PROVIDER: 'dialogflow',
    DIALOGFLOW_PROJECT_ID: 'test-project',
    DIALOGFLOW_API_ENDPOINT: `127.0.0.1:${dialogflow.port}`,
    DIALOGFLOW_BREAKER_RESET_MS: String(COOL_DOWN_MS),
  });
  app = await createApp(setup.environment.config, { logDestination: logs });
  await app.startWorkers();
  await app.listen(setup.port);
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await setup?.cleanup();
  await dialogflow?.stop();
});

let messageCounter = 0;
async function ask(client: WebchatTestClient, text: string): Promise<string> {
  messageCounter += 1;
  const before = client.botMessages().length;
  client.send({ type: 'message', clientMsgId: `df-msg-${messageCounter}`, text });
  const messages = await client.waitForBotMessages(before + 1, 20_000);
  return String(messages[before]!.text);
}

async function textTo(phone: string, body: string): Promise<string> {
  const before = setup.twilioApi.accepted().filter((request) => request.params.To === phone).length;
  expect((await postInboundMessage(setup.publicUrl, phone, body)).status).toBe(200);
  const sent = await waitFor(() => {
    const all = setup.twilioApi.accepted().filter((request) => request.params.To === phone);
    return all.length > before ? all : undefined;
  }, 20_000);
  return String(sent[before]!.params.Body);
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${setup.publicUrl}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function openChat(): Promise<WebchatTestClient> {
  const client = await WebchatTestClient.connect(`${setup.publicUrl.replace(/^http/, 'ws')}/webchat`);
  expect((await client.hello()).type).toBe('welcome');
  return client;
}

test('the web chat and SMS answer through Dialogflow, which sees masked text and sessions without phones', async () => {
  const client = await openChat();
  expect(await ask(client, 'what are your hours?')).toMatch(/hours/i);
  const cancel = await ask(client, 'quiero cancelar mi cita');
  expect(cancel).toMatch(/página segura/);
  client.close();

  expect(await textTo(PATIENT_PHONE, 'what are your hours?')).toMatch(/^Our hours:/);
  // Appointments are PHI: without consent for SMS they are shown on the secure page.
  expect(await textTo(PATIENT_PHONE, 'quiero cancelar mi cita')).toMatch(/página segura/);
  expect((await postInboundMessage(setup.publicUrl, PATIENT_PHONE, 'my number is 555-201-3344')).status).toBe(200);
  await waitFor(() => dialogflow.calls.some((call) => call.text === 'my number is [phone]'), 20_000, 'the masked text');

  const texts = dialogflow.calls.map((call) => call.text);
  expect(texts).toEqual(expect.arrayContaining(['what are your hours?', 'quiero cancelar mi cita']));
  expect(dialogflow.calls.map((call) => call.languageCode)).toEqual(expect.arrayContaining(['en-US', 'es-US']));
  for (const call of dialogflow.calls) {
    expect(call.text).not.toContain('555-201-3344');
    expect(call.session).not.toContain('5555550177');
    expect(call.session).toMatch(/^projects\/test-project\/agent\/sessions\/[0-9a-f]{32}$/);
  }
  // Every one of those turns was understood by Dialogflow: nothing fell back to the local engine.
  expect(await (await fetch(`${setup.publicUrl}/metrics`)).text()).not.toMatch(/^concierge_nlu_fallbacks_total\{/m);
  // One session per conversation: the web chat's and the SMS's.
  expect(new Set(dialogflow.calls.map((call) => call.session)).size).toBe(2);
  expect(logs.text()).not.toContain('555-201-3344');
}, 90_000);

test('with the endpoint stopped mid-conversation the local engine answers, and Dialogflow returns after the cool-down', async () => {
  const client = await openChat();
  expect(await ask(client, 'do you have parking?')).toMatch(/parking/i);
  const port = dialogflow.port;
  const fallbacksBefore = await metric('concierge_nlu_fallbacks_total', 'provider="dialogflow",reason="unavailable"');
  await dialogflow.stop();

  expect(await ask(client, 'what are your hours?')).toMatch(/hours/i);
  expect(await ask(client, 'do you take medicaid?')).toMatch(/Medicaid/);
  expect(await ask(client, 'where are you located?')).toMatch(/\d/);
  expect(await textTo(PATIENT_PHONE, 'what are your hours?')).toMatch(/^Our hours:/);
  expect(await metric('concierge_nlu_fallbacks_total', 'provider="dialogflow",reason="unavailable"')).toBeGreaterThan(
    fallbacksBefore,
  );
  // Earlier successes count in the breaker's window: it opens once failures are half of the recent calls.
  await waitFor(
    async () => {
      expect(await ask(client, 'what are your hours?')).toMatch(/hours/i);
      return (await metric('concierge_nlu_breaker_open', 'provider="dialogflow"')) === 1;
    },
    30_000,
    'the breaker open',
  );

  dialogflow = await DialogflowServer.start({ answer: localModelAnswers(agent), port });
  await waitFor(
    async () => {
      // The web chat takes about 20 messages in its rate window: a pause between tries stays under it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await ask(client, 'what are your hours?')).toMatch(/hours/i);
      return dialogflow.calls.length > 0;
    },
    30_000,
    'Dialogflow answering again after the cool-down',
  );
  expect(await metric('concierge_nlu_breaker_open', 'provider="dialogflow"')).toBe(0);
  const warnings = logs.lines.filter((line) => line.includes('NLU provider failed'));
  expect(warnings.length).toBeGreaterThan(0);
  for (const line of warnings) expect(line).not.toMatch(/hours|medicaid|located/i);
  client.close();
}, 120_000);
