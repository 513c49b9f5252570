import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActionRegistry } from '../../../src/flows/actions';
import { FlowValidationError, loadFlowFiles, parseFlowYaml } from '../../../src/flows/flow-loader';
import { renderTemplate } from '../../../src/flows/template';

const FLOWS_DIR = path.join(__dirname, '../../../flows');

test('the default flows are valid and cover every intent the NLU knows', async () => {
  const flows = await loadFlowFiles(FLOWS_DIR, createActionRegistry());
  const intents = new Set(flows.flatMap((flow) => flow.triggers.intents));
  const known = fs
    .readdirSync(path.join(__dirname, '../../../intents/intents'))
    .filter((file) => file.endsWith('.json') && !file.includes('_usersays_'))
    .map((file) => file.replace(/\.json$/, ''))
    .filter((name) => name !== 'Default Fallback Intent');
  for (const intent of [...known, 'none']) expect(intents).toContain(intent);
});

test('schema errors name the file, the step and the field', () => {
  const { problems } = parseFlowYaml(
    'flows/broken.yaml',
    'id: broken\ntriggers: { intents: [x] }\nsteps:\n  - id: hello\n    say: { en: "Hi" }\n',
  );
  expect(problems).toEqual([expect.stringMatching(/^flows\/broken\.yaml: step 'hello' \(steps\[0\]\.say\.es\): /)]);
  expect(parseFlowYaml('x.yaml', 'id: [').problems[0]).toMatch(/^x\.yaml: not valid YAML/);
});

test('references to missing steps, unknown actions and impossible outcomes are reported in plain words', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flows-'));
  fs.writeFileSync(
    path.join(dir, 'bad.yaml'),
    [
      'id: bad',
      'triggers: { intents: [faq.hours] }',
      'steps:',
      '  - { id: pick-time, say: { en: a, es: b }, next: confirm }',
      '  - { id: look, action: answer-weather }',
      '  - { id: miss, action: count-miss, outcomes: { third: pick-time } }',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'dup.yaml'), 'id: dup\ntriggers: { intents: [faq.hours] }\nsteps:\n  - { id: end, end: true }\n');
  const error = await loadFlowFiles(dir, createActionRegistry()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FlowValidationError);
  expect((error as FlowValidationError).problems).toEqual([
    "Flow 'bad': step 'pick-time' goes to 'confirm', which does not exist",
    "Flow 'bad': step 'look' runs action 'answer-weather', which does not exist",
    "Flow 'bad': step 'miss' handles outcome 'third', which action 'count-miss' never returns (it returns: first, repeated)",
    "Flow 'dup': intent 'faq.hours' already starts flow 'bad'",
  ]);
});

test('templates fill variables as plain text', () => {
  expect(renderTemplate("Hi {{name}}, call {{{phone}}}{{missing}}", { name: "O'Brien & Co", phone: '(555) 010-2000' })).toBe(
    "Hi O'Brien & Co, call (555) 010-2000",
  );
});
