/**
 * The Helm/Sprig functions the Clinic Concierge chart uses, with Helm's semantics: Sprig's `empty` for `default`,
 * `toYaml` without its final newline and with go-yaml's unindented lists, `indent` padding every line. `include`,
 * `and` and `or` need the renderer and live there. An unknown function name is an error.
 */
import crypto from 'node:crypto';
import YAML from 'yaml';

export type TemplateFunction = (...args: unknown[]) => unknown;

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How `{{ value }}` prints: nil prints nothing (Helm replaces "<no value>"). */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot print a ${Array.isArray(value) ? 'list' : 'map'} directly; use toYaml`);
}

function text(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  throw new Error(`${name}: expected a string`);
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${name}: expected an integer`);
  return value;
}

function indentLines(spaces: number, value: string): string {
  const pad = ' '.repeat(spaces);
  return pad + value.replace(/\n/g, `\n${pad}`);
}

/** Go's fmt for the verbs the chart uses: %s, %d, %v and %q. */
function printf(format: unknown, ...args: unknown[]): string {
  let next = 0;
  return text(format, 'printf').replace(/%([sdvq%])/g, (_match, verb: string) => {
    if (verb === '%') return '%';
    const value = args[next];
    next += 1;
    return verb === 'q' ? JSON.stringify(text(value, 'printf')) : printValue(value);
  });
}

function equal(left: unknown, right: unknown): boolean {
  if (typeof left !== typeof right && left !== null && right !== null)
    throw new Error(`eq: incompatible types ${typeof left} and ${typeof right}`);
  return left === right;
}

export const TEMPLATE_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  toYaml: (value) =>
    value === undefined || value === null
      ? 'null'
      : YAML.stringify(value, { sortMapEntries: true, lineWidth: 0, indentSeq: false }).replace(/\n$/, ''),
  indent: (spaces, value) => indentLines(count(spaces, 'indent'), text(value, 'indent')),
  nindent: (spaces, value) => `\n${indentLines(count(spaces, 'nindent'), text(value, 'nindent'))}`,
  quote: (...values) =>
    values
      .filter((value) => value !== null && value !== undefined)
      .map((value) => JSON.stringify(text(value, 'quote')))
      .join(' '),
  default: (fallback, value) => (isTruthy(value) ? value : fallback),
  printf,
  b64enc: (value) => Buffer.from(text(value, 'b64enc'), 'utf8').toString('base64'),
  sha256sum: (value) => crypto.createHash('sha256').update(text(value, 'sha256sum')).digest('hex'),
  trunc: (length, value) => {
    const limit = count(length, 'trunc');
    const string = text(value, 'trunc');
    if (limit < 0) return string.length + limit > 0 ? string.slice(string.length + limit) : string;
    return string.length > limit ? string.slice(0, limit) : string;
  },
  trimSuffix: (suffix, value) => {
    const string = text(value, 'trimSuffix');
    const end = text(suffix, 'trimSuffix');
    return end !== '' && string.endsWith(end) ? string.slice(0, -end.length) : string;
  },
  required: (message, value) => {
    if (value === null || value === undefined || value === '') throw new Error(text(message, 'required'));
    return value;
  },
  eq: (left, ...rights) => rights.some((right) => equal(left, right)),
  ne: (left, right) => !equal(left, right),
  not: (value) => !isTruthy(value),
};
