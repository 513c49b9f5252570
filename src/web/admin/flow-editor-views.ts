/**
 * The flow editor's pages: the list of flows, and one flow as a readable path plus a form with one fieldset per
 * step. No script: every button submits the whole form, so moving or deleting a step keeps what was typed.
 */
import { DEPARTMENTS } from '../../db/staff-tables';
import type { FlowDefinition, FlowStep } from '../../flows/flow-schema';
import { escapeHtml } from '../html-escape';
import { DEPARTMENT_LABELS, type Viewer, csrfField } from '../inbox/inbox-layout';
import { adminPage, flash } from './admin-views';
import { END_OF_FLOW, STEP_KINDS, type StepKind, fieldName, flowFields, kindOf } from './flow-form';

/** Action name → the outcomes it can return. */
export type ActionCatalog = ReadonlyMap<string, readonly string[]>;

export interface FlowPageState {
  /** The flow as stored, or as typed when a save failed. */
  readonly flow: FlowDefinition;
  readonly actions: ActionCatalog;
  /** Why the last save failed. */
  readonly problems?: readonly string[];
  /** The draft's publish problems about this flow. */
  readonly publishProblems: readonly string[];
  readonly notice?: string;
}

const KIND_LABELS: Readonly<Record<StepKind, string>> = {
  say: 'Says something',
  ask: 'Asks a question',
  action: 'Runs an action',
  handoff: 'Hands over to staff',
  end: 'Ends the flow',
};

const quoted = (id: string) => `'${id}'`;

export function flowsPage(viewer: Viewer, flows: readonly FlowDefinition[]): string {
  const rows = flows
    .map(
      (flow) =>
        `<tr><td><a href="/admin/flows/${encodeURIComponent(flow.id)}">${escapeHtml(flow.id)}</a></td><td>${escapeHtml(flow.description ?? '')}</td><td>${escapeHtml(flow.triggers.intents.join(', '))}</td><td>${flow.steps.length}</td></tr>`,
    )
    .join('');
  return adminPage(
    viewer,
    'Flows',
    `<p>A flow is what the bot does when a patient's message starts it: its steps run in order unless a step says where to go. Changes go to the draft; patients get them once you publish.</p>
<table><thead><tr><th scope="col">Flow</th><th scope="col">What it does</th><th scope="col">Starts on intents</th><th scope="col">Steps</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function flowPage(viewer: Viewer, state: FlowPageState): string {
  const { flow } = state;
  return adminPage(
    viewer,
    `Flow: ${flow.id}`,
    `${flash(state.notice, undefined)}${problemList('The flow was not saved:', state.problems ?? [])}${problemList('This flow cannot be published yet:', state.publishProblems)}
<p><a href="/admin/flows">All flows</a></p>
<section aria-labelledby="path-heading"><h2 id="path-heading">Path</h2><ol class="path">${flow.steps.map((step, index) => `<li>${pathItem(flow, step, index, state.actions)}</li>`).join('')}</ol></section>
<section aria-labelledby="edit-heading"><h2 id="edit-heading">Edit the steps</h2>${flowForm(viewer, state)}</section>`,
  );
}

function problemList(intro: string, problems: readonly string[]): string {
  if (problems.length === 0) return '';
  return `<div class="error" role="alert"><p>${escapeHtml(intro)}</p><ul>${problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join('')}</ul></div>`;
}

/** "look-up: runs 'answer-hours'; then 'answer'". */
function pathItem(flow: FlowDefinition, step: FlowStep, index: number, actions: ActionCatalog): string {
  const then = (label = 'then') => `; ${label} ${target(flow, 'next' in step ? step.next : undefined, index)}`;
  let what: string;
  if ('say' in step) what = `says “${step.say.en}”${buttons(step.quickReplies)}${then()}`;
  else if ('ask' in step) {
    const choices = (step.choices ?? []).map((choice) => `“${choice.label.en}” → ${target(flow, choice.next)}`);
    const other = step.otherwise ? `goes to ${target(flow, step.otherwise)}` : 'asks again';
    what = step.choices
      ? `asks “${step.ask.en}”${buttons(step.quickReplies)}; answers: ${choices.join(', ')}; any other answer ${other}`
      : `asks “${step.ask.en}”${buttons(step.quickReplies)} and takes any answer${then()}`;
  } else if ('action' in step) {
    const params = Object.entries(step.params ?? {}).map(([name, value]) => `${name}: ${String(value)}`);
    const outcomes = inDeclaredOrder(step.outcomes ?? {}, actions.get(step.action) ?? []).map(
      ([name, to]) => `if ${quoted(name)} → ${target(flow, to)}`,
    );
    what = `runs ${quoted(step.action)}${params.length > 0 ? ` (${params.join(', ')})` : ''}${outcomes.length > 0 ? `; ${outcomes.join(', ')}` : ''}${then(outcomes.length > 0 ? 'otherwise' : 'then')}`;
  } else if ('handoff' in step) {
    const handoff = typeof step.handoff === 'string' ? { department: step.handoff } : step.handoff;
    const to = handoff.department
      ? (DEPARTMENT_LABELS[handoff.department] ?? handoff.department)
      : 'the team the practice routes it to';
    what = `hands the conversation to ${to}${'reason' in handoff ? ` (reason: ${handoff.reason})` : ''}${then()}`;
  } else what = 'ends the flow';
  return `<a href="#step-${index}">${escapeHtml(step.id)}</a>: ${escapeHtml(what)}`;
}

/** Outcomes as the action lists them (storage keeps no order); ones it never returns last. */
function inDeclaredOrder(outcomes: Record<string, string>, declared: readonly string[]): [string, string][] {
  const rank = (name: string) => (declared.includes(name) ? declared.indexOf(name) : declared.length);
  return Object.entries(outcomes).sort(([a], [b]) => rank(a) - rank(b));
}

function buttons(replies: readonly { label: { en: string } }[] | undefined): string {
  return replies && replies.length > 0
    ? ` with buttons ${replies.map((reply) => `“${reply.label.en}”`).join(', ')}`
    : '';
}

/** Where a target leads, in words; `from` is the step whose default (the following step) applies. */
function target(flow: FlowDefinition, id: string | undefined, from?: number): string {
  if (id === undefined) {
    const following = from === undefined ? undefined : flow.steps[from + 1];
    return following ? target(flow, following.id) : 'the flow ends';
  }
  const step = flow.steps.find((candidate) => candidate.id === id);
  if (!step) return `${quoted(id)}, which does not exist`;
  return 'end' in step ? `${quoted(id)} (the flow ends)` : quoted(id);
}

function flowForm(viewer: Viewer, state: FlowPageState): string {
  const { flow } = state;
  const fields = flowFields(flow);
  const form = new FormParts(fields, flow, state.actions);
  const save = '<button type="submit" name="op" value="save">Save to draft</button>';
  return `<form method="post" action="/admin/flows/${encodeURIComponent(flow.id)}">${csrfField(viewer.csrf)}
${save}
<fieldset><legend>About this flow</legend>
${form.input('description', 'Flow', 'What it does (for staff)')}
${form.textarea('intents', 'Flow', 'Intents that start it (one per line)', 3)}
</fieldset>
<p class="hint">Texts may use placeholders such as {{practiceName}} or {{practicePhone}}. Buttons below each step move or delete it; what you typed is saved with them.</p>
${flow.steps.map((step, index) => form.step(step, index)).join('\n')}
${addStepGroup(flow)}
<p>${save}</p></form>`;
}

function addStepGroup(flow: FlowDefinition): string {
  const kinds = STEP_KINDS.map((kind) => `<option value="${kind}">${KIND_LABELS[kind]}</option>`).join('');
  const positions = [
    `<option value="${flow.steps.length}" selected>At the end</option>`,
    ...flow.steps.map((step, index) => `<option value="${index}">Before step ${escapeHtml(quoted(step.id))}</option>`),
  ].join('');
  return `<fieldset><legend>Add a step</legend>
<div class="field"><label for="add-kind">Kind of step</label><select id="add-kind" name="add.kind">${kinds}</select></div>
<div class="field"><label for="add-id">Id of the new step</label><input id="add-id" name="add.id" aria-describedby="add-id-hint" autocapitalize="none" autocomplete="off"><p id="add-id-hint" class="hint">Lower-case words joined by dashes, like ask-name.</p></div>
<div class="field"><label for="add-position">Where</label><select id="add-position" name="add.position">${positions}</select></div>
<button type="submit" name="op" value="add" class="secondary">Add the step</button></fieldset>`;
}

type TargetMode = 'next' | 'otherwise' | 'outcome' | 'choice';

const EMPTY_TARGET: Readonly<Record<TargetMode, string>> = {
  next: 'The following step',
  otherwise: 'Ask the question again',
  outcome: 'Carry on with "Then"',
  choice: 'Choose a step',
};

/** The controls of one flow's form: every control labelled, and named by its step so repeated ones differ. */
class FormParts {
  constructor(
    private readonly fields: Readonly<Record<string, string>>,
    private readonly flow: FlowDefinition,
    private readonly actions: ActionCatalog,
  ) {}

  step(step: FlowStep, index: number): string {
    const kind = kindOf(step);
    const context = step.id === '' ? `Step ${index + 1}` : `Step ${quoted(step.id)}`;
    const name = (part: string) => fieldName.step(index, part);
    const parts = [
      this.input(name('id'), context, 'Step id', 'autocapitalize="none" autocomplete="off"'),
      `<input type="hidden" name="${name('kind')}" value="${kind}">`,
      ...this.kindParts(step, index, context),
      kind === 'end'
        ? ''
        : this.target(name('next'), context, kind === 'ask' ? 'Then, after a free-text answer' : 'Then', 'next', index),
      this.stepButtons(step, index),
    ];
    return `<fieldset id="step-${index}"><legend>Step ${index + 1}: ${escapeHtml(step.id)}</legend><p class="hint">${KIND_LABELS[kind]}</p>${parts.join('')}</fieldset>`;
  }

  private kindParts(step: FlowStep, index: number, context: string): string[] {
    const name = (part: string) => fieldName.step(index, part);
    if ('say' in step)
      return [this.texts(name('say'), context, 'text'), this.replyRows(index, context, step.quickReplies?.length ?? 0)];
    if ('ask' in step)
      return [
        this.texts(name('ask'), context, 'text'),
        this.choiceRows(index, context, step.choices?.length ?? 0),
        this.target(name('otherwise'), context, 'If the answer matches no choice', 'otherwise', index),
        this.replyRows(index, context, step.quickReplies?.length ?? 0, true),
      ];
    if ('action' in step) return this.actionParts(step.action, index, context, Object.keys(step.params ?? {}).length);
    if ('handoff' in step) {
      const departments = [
        { value: '', label: "Let the practice's routing choose" },
        ...DEPARTMENTS.map((department) => ({ value: department, label: DEPARTMENT_LABELS[department] ?? department })),
      ];
      return [
        this.select(name('department'), context, 'Department', departments),
        this.input(name('reason'), context, 'Reason (shown to staff, used for routing)'),
      ];
    }
    return [];
  }

  private actionParts(action: string, index: number, context: string, paramCount: number): string[] {
    const known = [...this.actions.keys()].sort();
    const options = [
      ...(action === '' ? [{ value: '', label: 'Choose an action' }] : []),
      ...(action !== '' && !this.actions.has(action)
        ? [{ value: action, label: `${action} (not a known action)` }]
        : []),
      ...known.map((name) => ({ value: name, label: name })),
    ];
    const stored = Object.keys(this.fields)
      .filter((field) => field.startsWith(fieldName.outcome(index, '')))
      .map((field) => field.slice(fieldName.outcome(index, '').length));
    const outcomes = [...new Set([...(this.actions.get(action) ?? []), ...stored])];
    const params = this.rows(index, 'param', paramCount, context, 'Setting', (row, rowContext) => [
      this.input(fieldName.row(index, 'param', row, 'name'), rowContext, 'Name'),
      this.input(fieldName.row(index, 'param', row, 'value'), rowContext, 'Value'),
      `<input type="hidden" name="${fieldName.row(index, 'param', row, 'type')}" value="${escapeHtml(this.fields[fieldName.row(index, 'param', row, 'type')] ?? 'string')}">`,
    ]);
    return [
      this.select(fieldName.step(index, 'action'), context, 'Action', options),
      `<div class="field"><details${paramCount > 0 ? ' open' : ''}><summary>Settings for the action (${paramCount})</summary>${params}</details></div>`,
      ...outcomes.map((outcome) =>
        this.target(
          fieldName.outcome(index, outcome),
          context,
          `When the result is ${quoted(outcome)}`,
          'outcome',
          index,
        ),
      ),
    ];
  }

  private choiceRows(index: number, context: string, count: number): string {
    const rows = this.rows(index, 'choice', count, context, 'Choice', (row, rowContext) => [
      this.texts(fieldName.row(index, 'choice', row, 'label'), rowContext, 'label'),
      this.input(fieldName.row(index, 'choice', row, 'payload'), rowContext, 'Payload (what its button sends)'),
      this.input(
        fieldName.row(index, 'choice', row, 'synonyms'),
        rowContext,
        'Other words that pick it (separated by commas)',
      ),
      this.target(fieldName.row(index, 'choice', row, 'next'), rowContext, 'Then go to', 'choice', index),
    ]);
    return `<p class="hint">With choices, the answer picks the next step; without any, the answer is free text.</p>${rows}`;
  }

  private replyRows(index: number, context: string, count: number, withVariable = false): string {
    const rows = this.rows(index, 'reply', count, context, 'Button', (row, rowContext) => [
      this.texts(fieldName.row(index, 'reply', row, 'label'), rowContext, 'label'),
      this.input(fieldName.row(index, 'reply', row, 'payload'), rowContext, 'Payload (what it sends)'),
    ]);
    const variable = withVariable
      ? this.input(
          fieldName.step(index, 'quickRepliesFrom'),
          context,
          'Buttons from a variable an earlier action fills',
        )
      : '';
    const open = count > 0 || (this.fields[fieldName.step(index, 'quickRepliesFrom')] ?? '') !== '';
    return `<div class="field"><details${open ? ' open' : ''}><summary>Buttons (${count})</summary>${rows}${variable}</details></div>`;
  }

  /** The existing rows of a repeated group, plus one blank row to add one (left blank, it adds nothing). */
  private rows(
    index: number,
    row: 'choice' | 'reply' | 'param',
    count: number,
    context: string,
    noun: string,
    controls: (rowIndex: number, rowContext: string) => string[],
  ): string {
    return Array.from({ length: count + 1 }, (_, rowIndex) => {
      const title = rowIndex < count ? `${noun} ${rowIndex + 1}` : `New ${noun.toLowerCase()} (optional)`;
      return `<fieldset id="step-${index}-${row}-${rowIndex}"><legend>${title}</legend>${controls(rowIndex, `${context}, ${title.toLowerCase()}`).join('')}</fieldset>`;
    }).join('');
  }

  private stepButtons(step: FlowStep, index: number): string {
    const name = escapeHtml(quoted(step.id));
    const last = index === this.flow.steps.length - 1;
    return `<div class="actions"><button type="submit" name="op" value="up:${index}" class="secondary" aria-label="Move up: step ${name}"${index === 0 ? ' disabled' : ''}>Move up</button><button type="submit" name="op" value="down:${index}" class="secondary" aria-label="Move down: step ${name}"${last ? ' disabled' : ''}>Move down</button><button type="submit" name="op" value="delete:${index}" class="secondary" aria-label="Delete step ${name}">Delete step</button></div>`;
  }

  private target(name: string, context: string, label: string, mode: TargetMode, from: number): string {
    const value = this.fields[name] ?? '';
    const ids = this.flow.steps.map((step) => step.id);
    const following = this.flow.steps[from + 1]?.id;
    const empty =
      mode === 'next'
        ? `${EMPTY_TARGET.next} (${following ? quoted(following) : 'none: the flow ends'})`
        : EMPTY_TARGET[mode];
    const options = [
      ...(mode !== 'choice' || value === '' ? [{ value: '', label: empty }] : []),
      { value: END_OF_FLOW, label: 'End of flow' },
      ...(value !== '' && !ids.includes(value) ? [{ value, label: `Step ${quoted(value)} (does not exist)` }] : []),
      ...this.flow.steps.map((step) => ({
        value: step.id,
        label: `Step ${quoted(step.id)}${'end' in step ? ' (ends the flow)' : ''}`,
      })),
    ];
    return this.select(name, context, label, options);
  }

  /** Messages get text areas; button labels are one line. */
  private texts(prefix: string, context: string, noun: 'text' | 'label'): string {
    const control = (language: string, label: string) =>
      noun === 'label'
        ? this.input(`${prefix}.${language}`, context, label)
        : this.textarea(`${prefix}.${language}`, context, label, 3);
    return control('en', `English ${noun}`) + control('es', `Spanish ${noun}`);
  }

  input(name: string, context: string, label: string, attributes = ''): string {
    return `<div class="field">${labelFor(name, context, label)}<input id="${idOf(name)}" name="${escapeHtml(name)}" value="${escapeHtml(this.fields[name] ?? '')}" ${attributes}></div>`;
  }

  /** The newline after the tag is eaten by the HTML parser, so a text that starts with one keeps it. */
  textarea(name: string, context: string, label: string, rows: number): string {
    return `<div class="field">${labelFor(name, context, label)}<textarea id="${idOf(name)}" name="${escapeHtml(name)}" rows="${rows}">\n${escapeHtml(this.fields[name] ?? '')}</textarea></div>`;
  }

  private select(name: string, context: string, label: string, options: { value: string; label: string }[]): string {
    const value = this.fields[name] ?? '';
    const items = options
      .map(
        (option) =>
          `<option value="${escapeHtml(option.value)}"${option.value === value ? ' selected' : ''}>${escapeHtml(option.label)}</option>`,
      )
      .join('');
    return `<div class="field">${labelFor(name, context, label)}<select id="${idOf(name)}" name="${escapeHtml(name)}">${items}</select></div>`;
  }
}

/** The visible label, preceded for screen readers by the step (and row) it belongs to. */
function labelFor(name: string, context: string, label: string): string {
  return `<label for="${idOf(name)}"><span class="visually-hidden">${escapeHtml(context)}: </span>${escapeHtml(label)}</label>`;
}

function idOf(name: string): string {
  return `f-${name.replace(/[^a-zA-Z0-9-]/g, '_')}`;
}
