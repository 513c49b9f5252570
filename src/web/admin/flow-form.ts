/**
 * The flow editor's form as plain data: the flat field names a browser submits for one flow (`step.2.say.en`,
 * `step.4.choice.1.next`, …), the flow read back from them, and the step buttons (move, delete, add). Pure
 * functions, so the round trip is tested against every flow in flows/ without a browser.
 */
import { DEPARTMENTS, type Department } from '../../db/staff-tables';
import { ValidationError } from '../../errors';
import type { z } from 'zod';
import { type FlowDefinition, type FlowStep, type LocalizedText, flowDefinitionSchema } from '../../flows/flow-schema';

export type FormFields = Readonly<Record<string, string>>;

export const STEP_KINDS = ['say', 'ask', 'action', 'handoff', 'end'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The target selects' "end of flow": not a valid step id, so it never clashes with one. */
export const END_OF_FLOW = '~end';

type Row = 'choice' | 'reply' | 'param';

/** `step.3.say.en`, `step.3.choice.0.next`, `step.3.outcome.invalid`. */
export const fieldName = {
  step: (index: number, part: string) => `step.${index}.${part}`,
  row: (index: number, row: Row, rowIndex: number, part: string) => `step.${index}.${row}.${rowIndex}.${part}`,
  outcome: (index: number, outcome: string) => `step.${index}.outcome.${outcome}`,
};

/** Stored steps carry no `kind` (canonicalBundle strips it): the kind is the key the step has. */
export function kindOf(step: FlowStep): StepKind {
  return STEP_KINDS.find((kind) => kind in step) ?? 'end';
}

/** The field values that show `flow` in the form (reading them back gives the same flow). */
export function flowFields(flow: FlowDefinition): Record<string, string> {
  const fields: Record<string, string> = {
    description: flow.description ?? '',
    intents: flow.triggers.intents.join('\n'),
  };
  flow.steps.forEach((step, index) => Object.assign(fields, stepFields(step, index)));
  return fields;
}

function stepFields(step: FlowStep, index: number): Record<string, string> {
  const name = (part: string) => fieldName.step(index, part);
  const fields: Record<string, string> = { [name('id')]: step.id, [name('kind')]: kindOf(step) };
  if ('next' in step) fields[name('next')] = step.next ?? '';
  if ('say' in step) Object.assign(fields, textFields(name('say'), step.say));
  if ('ask' in step) {
    Object.assign(fields, textFields(name('ask'), step.ask));
    step.choices?.forEach((choice, row) => {
      const part = (key: string) => fieldName.row(index, 'choice', row, key);
      Object.assign(fields, textFields(part('label'), choice.label), {
        [part('payload')]: choice.payload,
        [part('synonyms')]: (choice.synonyms ?? []).join(', '),
        [part('next')]: choice.next,
      });
    });
    fields[name('otherwise')] = step.otherwise ?? '';
    fields[name('quickRepliesFrom')] = step.quickRepliesFrom ?? '';
  }
  if ('quickReplies' in step)
    step.quickReplies?.forEach((reply, row) => {
      const part = (key: string) => fieldName.row(index, 'reply', row, key);
      Object.assign(fields, textFields(part('label'), reply.label), { [part('payload')]: reply.payload });
    });
  if ('action' in step) {
    fields[name('action')] = step.action;
    Object.entries(step.params ?? {}).forEach(([key, value], row) =>
      Object.assign(fields, {
        [fieldName.row(index, 'param', row, 'name')]: key,
        [fieldName.row(index, 'param', row, 'value')]: String(value),
        [fieldName.row(index, 'param', row, 'type')]: typeof value,
      }),
    );
    for (const [outcome, target] of Object.entries(step.outcomes ?? {}))
      fields[fieldName.outcome(index, outcome)] = target;
  }
  if ('handoff' in step) {
    const handoff = typeof step.handoff === 'string' ? { department: step.handoff, reason: '' } : step.handoff;
    fields[name('department')] = handoff.department ?? '';
    fields[name('reason')] = handoff.reason;
  }
  return fields;
}

function textFields(prefix: string, text: LocalizedText): Record<string, string> {
  return { [`${prefix}.en`]: text.en, [`${prefix}.es`]: text.es };
}

/**
 * The flow as submitted. It may break the schema (an empty text): the caller checks it with flowFormProblems, and
 * shows it again as typed when it does. A target of "end of flow" goes to the flow's end step, added if missing.
 */
export function readFlowForm(id: string, fields: FormFields): FlowDefinition {
  const reader = new StepReader(fields);
  const steps: FlowStep[] = [];
  for (let index = 0; fields[fieldName.step(index, 'kind')] !== undefined; index++) steps.push(reader.step(index));
  if (reader.endUsed && !steps.some((step) => 'end' in step)) steps.push({ kind: 'end', id: reader.endId, end: true });
  const description = fields.description ?? '';
  return {
    id,
    ...(description.trim() === '' ? {} : { description: lineBreaks(description) }),
    triggers: { intents: lines(fields.intents ?? '') },
    steps,
  };
}

class StepReader {
  endUsed = false;
  readonly endId: string;

  constructor(private readonly fields: FormFields) {
    const ids: string[] = [];
    let endId: string | undefined;
    for (let index = 0; fields[fieldName.step(index, 'kind')] !== undefined; index++) {
      const id = fields[fieldName.step(index, 'id')] ?? '';
      ids.push(id);
      if (fields[fieldName.step(index, 'kind')] === 'end') endId ??= id;
    }
    this.endId = endId ?? freeId('end', ids);
  }

  step(index: number): FlowStep {
    const value = (part: string) => this.value(fieldName.step(index, part));
    const id = value('id').trim();
    const next = this.optionalTarget(value('next'));
    const kind = value('kind');
    if (kind === 'say')
      return { kind, id, ...next, say: this.text(fieldName.step(index, 'say')), ...this.replies(index) };
    if (kind === 'ask') return this.ask(index, id, next);
    if (kind === 'action') return { kind, id, ...next, action: value('action'), ...this.actionParts(index) };
    if (kind === 'handoff') return { kind, id, ...next, handoff: this.handoff(index) };
    if (kind === 'end') return { kind, id, end: true };
    throw new ValidationError(`step ${index + 1} has an unknown kind`);
  }

  private ask(index: number, id: string, next: { next?: string }): FlowStep {
    const choices = this.rows(index, 'choice', ['label.en', 'label.es', 'payload', 'synonyms']).map((row) => {
      const synonyms = this.value(`${row}.synonyms`)
        .split(',')
        .map((word) => word.trim())
        .filter(Boolean);
      return {
        label: this.text(`${row}.label`),
        payload: this.value(`${row}.payload`).trim(),
        ...(synonyms.length > 0 ? { synonyms } : {}),
        next: this.target(this.value(`${row}.next`)),
      };
    });
    const otherwise = this.optionalTarget(this.value(fieldName.step(index, 'otherwise'))).next;
    const from = this.value(fieldName.step(index, 'quickRepliesFrom')).trim();
    return {
      kind: 'ask',
      id,
      ...next,
      ask: this.text(fieldName.step(index, 'ask')),
      ...(choices.length > 0 ? { choices } : {}),
      ...this.replies(index),
      ...(from === '' ? {} : { quickRepliesFrom: from }),
      ...(otherwise === undefined ? {} : { otherwise }),
    };
  }

  private replies(index: number): { quickReplies?: { label: LocalizedText; payload: string }[] } {
    const replies = this.rows(index, 'reply', ['label.en', 'label.es', 'payload']).map((row) => ({
      label: this.text(`${row}.label`),
      payload: this.value(`${row}.payload`).trim(),
    }));
    return replies.length > 0 ? { quickReplies: replies } : {};
  }

  private actionParts(index: number): {
    params?: Record<string, string | number | boolean>;
    outcomes?: Record<string, string>;
  } {
    const params = this.rows(index, 'param', ['name', 'value']).map(
      (row) =>
        [this.value(`${row}.name`).trim(), typed(this.value(`${row}.value`), this.value(`${row}.type`))] as const,
    );
    const prefix = fieldName.outcome(index, '');
    const outcomes = Object.entries(this.fields)
      .filter(([name, target]) => name.startsWith(prefix) && target !== '')
      .map(([name, target]) => [name.slice(prefix.length), this.target(target)] as const);
    return {
      ...(params.length > 0 ? { params: Object.fromEntries(params) } : {}),
      ...(outcomes.length > 0 ? { outcomes: Object.fromEntries(outcomes) } : {}),
    };
  }

  /** A named department alone is the short form; a reason makes it the long one (department optional). */
  private handoff(index: number): Department | { department?: Department; reason: string } {
    const chosen = this.value(fieldName.step(index, 'department'));
    const department = DEPARTMENTS.find((candidate) => candidate === chosen);
    const reason = this.value(fieldName.step(index, 'reason')).trim();
    if (reason === '' && department) return department;
    return { ...(department ? { department } : {}), reason };
  }

  /** The prefixes of a repeated group's filled-in rows (a row left blank is no row). */
  private rows(index: number, row: Row, parts: readonly string[]): string[] {
    const found: string[] = [];
    for (let rowIndex = 0; this.fields[fieldName.row(index, row, rowIndex, parts[0]!)] !== undefined; rowIndex++) {
      const prefix = `step.${index}.${row}.${rowIndex}`;
      if (parts.some((part) => this.value(`${prefix}.${part}`).trim() !== '')) found.push(prefix);
    }
    return found;
  }

  private value(name: string): string {
    return this.fields[name] ?? '';
  }

  private text(prefix: string): LocalizedText {
    return { en: lineBreaks(this.value(`${prefix}.en`)), es: lineBreaks(this.value(`${prefix}.es`)) };
  }

  private target(value: string): string {
    if (value !== END_OF_FLOW) return value;
    this.endUsed = true;
    return this.endId;
  }

  private optionalTarget(value: string): { next?: string } {
    return value === '' ? {} : { next: this.target(value) };
  }
}

/** Parameters keep the type they had (hidden field); a new one is text. */
function typed(value: string, type: string | undefined): string | number | boolean {
  if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Browsers send a textarea's line breaks as CRLF. */
function lineBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

function freeId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  let suffix = 2;
  while (taken.includes(`${base}-${suffix}`)) suffix++;
  return `${base}-${suffix}`;
}

/** What a submit button asks for: its `op` value (`save`, `up:3`, `down:3`, `delete:3`, `add`). */
export type StepCommand =
  | { readonly kind: 'save' }
  | { readonly kind: 'move'; readonly index: number; readonly by: -1 | 1 }
  | { readonly kind: 'delete'; readonly index: number }
  | { readonly kind: 'add'; readonly step: StepKind; readonly id: string; readonly position: number };

export function readCommand(fields: FormFields, stepCount: number): StepCommand {
  const [op, at] = (fields.op ?? 'save').split(':');
  const index = Number(at);
  const known = Number.isInteger(index) && index >= 0 && index < stepCount;
  if (op === 'up' && known) return { kind: 'move', index, by: -1 };
  if (op === 'down' && known) return { kind: 'move', index, by: 1 };
  if (op === 'delete' && known) return { kind: 'delete', index };
  if (op === 'add') {
    const position = (fields['add.position'] ?? '').trim() === '' ? stepCount : Number(fields['add.position']);
    return {
      kind: 'add',
      step: STEP_KINDS.find((kind) => kind === fields['add.kind']) ?? 'say',
      id: (fields['add.id'] ?? '').trim(),
      position: Number.isInteger(position) && position >= 0 && position <= stepCount ? position : stepCount,
    };
  }
  return { kind: 'save' };
}

/** Why an add cannot happen (its id), else undefined. */
export function commandProblem(flow: FlowDefinition, command: StepCommand): string | undefined {
  if (command.kind !== 'add') return undefined;
  if (!STEP_ID.test(command.id)) return "The new step's id must be lower-case words joined by dashes, like 'ask-name'.";
  if (flow.steps.some((step) => step.id === command.id)) return `This flow already has a step '${command.id}'.`;
  return undefined;
}

const STEP_ID = /^[a-z][a-z0-9-]*$/;

export function applyCommand(flow: FlowDefinition, command: StepCommand): FlowDefinition {
  const steps = [...flow.steps];
  if (command.kind === 'move') {
    const to = command.index + command.by;
    if (to < 0 || to >= steps.length) return flow;
    [steps[command.index], steps[to]] = [steps[to]!, steps[command.index]!];
  } else if (command.kind === 'delete') {
    steps.splice(command.index, 1);
  } else if (command.kind === 'add') {
    steps.splice(command.position, 0, newStep(command.step, command.id));
  }
  return { ...flow, steps };
}

/** A new step as the form first shows it: say, ask and action steps need their texts or action filled in. */
function newStep(kind: StepKind, id: string): FlowStep {
  if (kind === 'say') return { kind, id, say: { en: '', es: '' } };
  if (kind === 'ask') return { kind, id, ask: { en: '', es: '' } };
  if (kind === 'action') return { kind, id, action: '' };
  if (kind === 'handoff') return { kind, id, handoff: 'front_desk' };
  return { kind, id, end: true };
}

export interface FlowFormProblem {
  /** The step it is about, if any (an added step's own problems only ask for it to be filled in). */
  readonly stepIndex?: number;
  readonly message: string;
}

/** The flow schema's complaints in plain words: "Flow 'x': step 'y': the Spanish text is empty". */
export function flowFormProblems(flow: FlowDefinition): FlowFormProblem[] {
  const parsed = flowDefinitionSchema.safeParse(flow);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const [section, index, ...rest] = issue.path;
    const what = describeFailure(issue, valueAt(flow, issue.path));
    if (section === 'triggers' && issue.code === 'too_small')
      return { message: `Flow '${flow.id}': needs at least one intent to start it` };
    if (section !== 'steps' || typeof index !== 'number')
      return { message: `Flow '${flow.id}': ${section === 'triggers' ? 'the trigger intents' : 'the flow'} ${what}` };
    const id = flow.steps[index]?.id ?? '';
    const step = id === '' ? `step ${index + 1}` : `step '${id}'`;
    return { stepIndex: index, message: `Flow '${flow.id}': ${step}: ${describeField(rest)} ${what}` };
  });
}

const LANGUAGES: Readonly<Record<string, string>> = { en: 'English', es: 'Spanish' };

/** A path inside a step, in words: ['choices', 1, 'label', 'es'] → "choice 2: the Spanish label". */
function describeField(path: readonly PropertyKey[]): string {
  const [head, second, ...rest] = path;
  const language = (part: PropertyKey | undefined, noun: string) =>
    `the ${LANGUAGES[String(part)] ?? String(part)} ${noun}`;
  if (head === 'say' || head === 'ask') return language(second, 'text');
  if ((head === 'choices' || head === 'quickReplies') && typeof second === 'number') {
    const row = `${head === 'choices' ? 'choice' : 'quick reply'} ${second + 1}`;
    const [part, language2] = rest;
    if (part === 'label') return `${row}: ${language(language2, 'label')}`;
    if (part === 'next') return `${row}: where it goes`;
    if (part === 'synonyms') return `${row}: one of the other words`;
    return `${row}: the ${String(part ?? 'row')}`;
  }
  const named: Readonly<Record<string, string>> = {
    id: 'the step id',
    next: 'where it goes next',
    otherwise: 'where other answers go',
    quickRepliesFrom: 'the suggestions variable',
    action: 'the action',
    handoff: second === 'department' ? 'the department' : second === 'reason' ? 'the reason' : 'the handoff',
    choices: 'the choices',
    quickReplies: 'the quick replies',
  };
  if (head === 'params') return `parameter '${String(second)}'`;
  if (head === 'outcomes') return `outcome '${String(second)}'`;
  return named[String(head)] ?? path.map(String).join(' → ');
}

function describeFailure(issue: z.core.$ZodIssue, value: unknown): string {
  const last = issue.path.at(-1);
  if (value === '' && last === 'next') return 'is not chosen';
  if (value === '' && last === 'reason') return 'is empty: give a reason, or choose a department';
  if (value === '') return 'is empty';
  if (issue.code === 'too_small')
    return issue.origin === 'array' ? `needs at least ${String(issue.minimum)}` : 'is empty';
  if (issue.code === 'too_big') return `can have at most ${String(issue.maximum)}`;
  if (issue.code === 'invalid_format') return issue.message;
  if (issue.code === 'invalid_value') return 'is not one of the choices';
  return `is not right (${issue.message})`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
