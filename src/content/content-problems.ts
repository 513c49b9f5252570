/**
 * What stops a release from going live, in words a practice manager can act on: each problem names the part (a
 * location, a FAQ topic, a flow and its step, an intent) and the field. Saving a draft only needs the right shapes;
 * publishing needs no problem at all.
 */
import type { z } from 'zod';
import type { ActionRegistry } from '../flows/action-registry';
import { findFlowProblems } from '../flows/flow-validation';
import { type ContentBundle, contentBundleSchema } from './content-bundle';

/** Intents no flow needs phrases for: the fallback answers whatever nothing else does. */
const UNTRAINED_INTENTS = new Set(['none']);

export function shapeProblems(value: unknown): string[] {
  const parsed = contentBundleSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(value, issue));
}

export function publishProblems(bundle: ContentBundle, actions: ActionRegistry): string[] {
  const shape = shapeProblems(bundle);
  if (shape.length > 0) return shape;
  const trained = new Set(
    bundle.training
      .filter((intent) => intent.phrases.en.length + intent.phrases.es.length > 0)
      .map((intent) => intent.name),
  );
  const untrained = bundle.flows.flatMap((flow) =>
    flow.triggers.intents
      .filter((intent) => !UNTRAINED_INTENTS.has(intent) && !trained.has(intent) && !intent.includes(':'))
      .map((intent) => `Flow '${flow.id}': starts on intent '${intent}', which has no training phrases`),
  );
  const duplicates = duplicateNames(bundle.training.map((intent) => intent.name)).map(
    (name) => `Intent '${name}' appears twice`,
  );
  return [...findFlowProblems(bundle.flows, actions), ...untrained, ...duplicates];
}

function duplicateNames(names: readonly string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
}

/** "Location 'Main office': hours → saturday → 1 → opens: must be HH:MM (24 h)". */
function describeIssue(value: unknown, issue: z.core.$ZodIssue): string {
  const [section, index, ...rest] = issue.path;
  const item = typeof index === 'number' ? (value as Record<string, unknown[]>)[String(section)]?.[index] : undefined;
  const record = (item ?? {}) as Record<string, unknown>;
  let subject: string;
  let fieldPath = rest;
  if (section === 'locations') subject = `Location '${String(record.name ?? (index as number) + 1)}'`;
  else if (section === 'faq') subject = `FAQ '${String(record.topic ?? (index as number) + 1)}'`;
  else if (section === 'training') subject = `Intent '${String(record.name ?? (index as number) + 1)}'`;
  else if (section === 'flows') {
    subject = `Flow '${String(record.id ?? (index as number) + 1)}'`;
    const [steps, stepIndex, ...stepRest] = rest;
    const step = steps === 'steps' && typeof stepIndex === 'number' ? (record.steps as unknown[])?.[stepIndex] : null;
    if (step) {
      subject += `: step '${String((step as { id?: unknown }).id ?? (stepIndex as number) + 1)}'`;
      fieldPath = stepRest;
    }
  } else {
    subject = 'Practice';
    fieldPath = issue.path.slice(1);
    if (section !== 'practice') fieldPath = issue.path;
  }
  const field = fieldPath
    .filter((part) => part !== 'details')
    .map((part) => (typeof part === 'number' ? String(part + 1) : String(part)))
    .join(' → ');
  return `${subject}: ${field ? `${field}: ` : ''}${issue.message}`;
}
