/**
 * What changed between two releases, as lines a manager can read: where (a location, a flow's step, an intent's
 * phrases…), what it was and what it is. Lists of named things are matched by name, so an inserted step shows as
 * one addition rather than every later step "changed".
 */
import type { ContentBundle } from './content-bundle';

export interface ContentChange {
  readonly where: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** The field that names an item of a list, by the list's key. */
const KEYED_LISTS: Readonly<Record<string, string>> = {
  locations: 'name',
  flows: 'id',
  steps: 'id',
  faq: 'topic',
  training: 'name',
  choices: 'payload',
  holidays: 'date',
  insurancePlans: 'name',
};

const LABELS: Readonly<Record<string, string>> = {
  locations: 'Location',
  flows: 'Flow',
  steps: 'step',
  faq: 'FAQ',
  training: 'Intent',
  choices: 'choice',
  holidays: 'holiday',
  insurancePlans: 'insurance plan',
};

export function diffContent(before: ContentBundle, after: ContentBundle): ContentChange[] {
  const changes: ContentChange[] = [];
  walk(before, after, [], changes);
  return changes;
}

function walk(before: unknown, after: unknown, where: string[], changes: ContentChange[], key = ''): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const keyField = KEYED_LISTS[key];
  if (Array.isArray(before) && Array.isArray(after) && keyField && before.concat(after).every(isNamed(keyField))) {
    const name = (item: Record<string, unknown>) => String(item[keyField]);
    const names = [...new Set([...before, ...after].map(name))];
    for (const itemName of names) {
      const old = before.find((item) => name(item) === itemName);
      const next = after.find((item) => name(item) === itemName);
      walk(old, next, [...where, `${LABELS[key]} '${itemName}'`], changes);
    }
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])])
      walk(
        before[field],
        after[field],
        field === 'details' || field in KEYED_LISTS ? where : [...where, field],
        changes,
        field,
      );
    return;
  }
  changes.push({ where: where.join(' › '), before: shown(before), after: shown(after) });
}

function isNamed(field: string) {
  return (item: unknown): item is Record<string, unknown> => isRecord(item) && typeof item[field] === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 0) return '(none)';
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('\n');
  return JSON.stringify(value);
}
