/**
 * The flow editor's form without a browser: every flow in flows/ survives fields → flow unchanged; steps are added,
 * moved and deleted in place; "end of flow" finds or adds the end step; schema errors name the flow, step and field.
 */
import { withoutKinds } from '../../../src/content/content-bundle';
import { createActionRegistry } from '../../../src/flows/actions';
import { loadFlowFiles } from '../../../src/flows/flow-loader';
import type { FlowDefinition } from '../../../src/flows/flow-schema';
import { FLOWS_DIR } from '../../../src/project-paths';
import {
  END_OF_FLOW,
  applyCommand,
  commandProblem,
  flowFields,
  flowFormProblems,
  readCommand,
  readFlowForm,
} from '../../../src/web/admin/flow-form';

const ids = (flow: FlowDefinition) => flow.steps.map((step) => step.id);

const greeting: FlowDefinition = {
  id: 'greeting',
  triggers: { intents: ['greeting'] },
  steps: [
    { kind: 'say', id: 'hello', say: { en: 'Hello!', es: '¡Hola!' } },
    { kind: 'ask', id: 'how', ask: { en: 'How can I help?', es: '¿Cómo puedo ayudar?' } },
    { kind: 'handoff', id: 'staff', handoff: 'front_desk' },
  ],
};

test('every flow in flows/ reads back from its own form fields unchanged', async () => {
  const flows = await loadFlowFiles(FLOWS_DIR, createActionRegistry());
  expect(flows.length).toBeGreaterThan(10);
  for (const flow of flows) {
    const back = readFlowForm(flow.id, flowFields(flow));
    expect(withoutKinds(back)).toEqual(withoutKinds(flow));
    expect(flowFormProblems(back)).toEqual([]);
  }
});

test('flows stored without kinds (as the bundle keeps them) give the same fields', async () => {
  const flows = await loadFlowFiles(FLOWS_DIR, createActionRegistry());
  for (const flow of flows) expect(flowFields(withoutKinds(flow))).toEqual(flowFields(flow));
});

test('blank rows add nothing, a filled one adds a choice, CRLF becomes LF, a reason alone routes the handoff', () => {
  const fields = {
    ...flowFields(greeting),
    'step.0.say.en': 'Hello!\r\nWelcome.',
    'step.0.reply.0.label.en': '',
    'step.0.reply.0.label.es': '',
    'step.0.reply.0.payload': '',
    'step.1.choice.0.label.en': 'Hours',
    'step.1.choice.0.label.es': 'Horario',
    'step.1.choice.0.payload': 'hours',
    'step.1.choice.0.synonyms': 'open, when ,',
    'step.1.choice.0.next': 'staff',
    'step.1.choice.1.label.en': '',
    'step.1.choice.1.label.es': '',
    'step.1.choice.1.payload': '',
    'step.1.choice.1.synonyms': '',
    'step.1.choice.1.next': '',
    'step.1.otherwise': 'hello',
    'step.2.reason': 'asked',
    'step.2.department': '',
  };
  const flow = withoutKinds(readFlowForm('greeting', fields));
  expect(flow.steps).toEqual([
    { id: 'hello', say: { en: 'Hello!\nWelcome.', es: '¡Hola!' } },
    {
      id: 'how',
      ask: { en: 'How can I help?', es: '¿Cómo puedo ayudar?' },
      choices: [{ label: { en: 'Hours', es: 'Horario' }, payload: 'hours', synonyms: ['open', 'when'], next: 'staff' }],
      otherwise: 'hello',
    },
    { id: 'staff', handoff: { reason: 'asked' } },
  ]);
});

test('"end of flow" goes to the flow\'s end step, and adds one when there is none', () => {
  const fields = { ...flowFields(greeting), 'step.0.next': END_OF_FLOW };
  const added = readFlowForm('greeting', fields);
  expect(ids(added)).toEqual(['hello', 'how', 'staff', 'end']);
  expect(added.steps[0]).toMatchObject({ next: 'end' });

  const withEnd = applyCommand(greeting, { kind: 'add', step: 'end', id: 'done', position: 3 });
  const reused = readFlowForm('greeting', { ...flowFields(withEnd), 'step.1.next': END_OF_FLOW });
  expect(ids(reused)).toEqual(['hello', 'how', 'staff', 'done']);
  expect(reused.steps[1]).toMatchObject({ next: 'done' });
});

test('buttons move a step up or down, delete it, or add one at a position', () => {
  const fields = flowFields(greeting);
  const run = (op: string, extra: Record<string, string> = {}) => {
    const typed = readFlowForm('greeting', { ...fields, ...extra, op });
    return applyCommand(typed, readCommand({ ...extra, op }, typed.steps.length));
  };
  expect(ids(run('up:1'))).toEqual(['how', 'hello', 'staff']);
  expect(ids(run('down:1'))).toEqual(['hello', 'staff', 'how']);
  expect(ids(run('up:0'))).toEqual(['hello', 'how', 'staff']);
  expect(ids(run('down:2'))).toEqual(['hello', 'how', 'staff']);
  expect(ids(run('delete:0'))).toEqual(['how', 'staff']);
  expect(ids(run('save'))).toEqual(['hello', 'how', 'staff']);
  expect(readCommand({ op: 'delete:9' }, 3)).toEqual({ kind: 'save' });

  const added = run('add', { 'add.kind': 'end', 'add.id': 'bye', 'add.position': '1' });
  expect(withoutKinds(added).steps[1]).toEqual({ id: 'bye', end: true });
  expect(ids(run('add', { 'add.kind': 'say', 'add.id': 'tip', 'add.position': '' }))).toEqual([
    'hello',
    'how',
    'staff',
    'tip',
  ]);
});

test('an added step needs a free, well-formed id; an empty new say step only asks for its texts', () => {
  expect(commandProblem(greeting, { kind: 'add', step: 'say', id: 'hello', position: 0 })).toBe(
    "This flow already has a step 'hello'.",
  );
  expect(commandProblem(greeting, { kind: 'add', step: 'say', id: 'Pick Time', position: 0 })).toMatch(/lower-case/);
  const flow = applyCommand(greeting, { kind: 'add', step: 'say', id: 'tip', position: 1 });
  expect(flowFormProblems(flow)).toEqual([
    { stepIndex: 1, message: "Flow 'greeting': step 'tip': the English text is empty" },
    { stepIndex: 1, message: "Flow 'greeting': step 'tip': the Spanish text is empty" },
  ]);
});

test('schema errors name the flow, the step and the field in plain words', () => {
  const fields = {
    ...flowFields(greeting),
    intents: '',
    'step.0.id': 'Pick Time',
    'step.1.choice.0.label.en': 'Hours',
    'step.1.choice.0.label.es': '',
    'step.1.choice.0.payload': 'hours',
    'step.1.choice.0.next': '',
    'step.2.reason': '',
    'step.2.department': '',
  };
  expect(flowFormProblems(readFlowForm('greeting', fields)).map((problem) => problem.message)).toEqual([
    "Flow 'greeting': needs at least one intent to start it",
    "Flow 'greeting': step 'Pick Time': the step id must be lower-case words joined by dashes",
    "Flow 'greeting': step 'how': choice 1: the Spanish label is empty",
    "Flow 'greeting': step 'how': choice 1: where it goes is not chosen",
    "Flow 'greeting': step 'staff': the reason is empty: give a reason, or choose a department",
  ]);
});

test('action settings keep their type, and outcomes left on "carry on" are dropped', () => {
  const flow: FlowDefinition = {
    id: 'count',
    triggers: { intents: ['count'] },
    steps: [
      {
        kind: 'action',
        id: 'run',
        action: 'count-miss',
        params: { limit: 3, strict: true, field: 'name' },
        outcomes: { again: 'run' },
      },
    ],
  };
  expect(withoutKinds(readFlowForm('count', flowFields(flow)))).toEqual(withoutKinds(flow));
  const fields = {
    ...flowFields(flow),
    'step.0.param.0.value': 'many',
    'step.0.param.3.name': 'topic',
    'step.0.param.3.value': 'billing',
    'step.0.outcome.again': '',
  };
  expect(withoutKinds(readFlowForm('count', fields)).steps[0]).toEqual({
    id: 'run',
    action: 'count-miss',
    params: { limit: 'many', strict: true, field: 'name', topic: 'billing' },
  });
});
