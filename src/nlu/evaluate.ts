/**
 * Measures an NLU engine on a labelled CSV (`text,intent,lang`; intent `none` marks out-of-scope lines):
 * accuracy overall and per language, precision/recall per intent, out-of-scope rejection and the confusions.
 * Used by `concierge nlu eval`, the tests and the NLU benchmark.
 */
import { AppError } from '../errors';
import { isLanguage, LANGUAGES, NONE_INTENT, type Language, type NluEngine } from './nlu-engine';

export interface LabelledUtterance {
  text: string;
  intent: string;
  lang: Language;
}

export interface EvalReport {
  /** Share of lines whose predicted intent equals the expected one (`none` lines count when predicted `none`). */
  accuracy: number;
  byLanguage: Record<Language, { accuracy: number; n: number }>;
  /** Per intent (including `none`): precision over predictions, recall over the `n` expected lines; 0 when undefined. */
  perIntent: Record<string, { precision: number; recall: number; n: number }>;
  /** `rejected`: how many of the `n` out-of-scope lines were predicted `none` (a count, not a rate). */
  outOfScope: { rejected: number; n: number };
  /** `[expected, got, count]` for every wrong pair, most frequent first. */
  confusions: Array<[string, string, number]>;
}

export class EvalFileError extends AppError {
  constructor(message: string) {
    super('invalid_eval_file', 400, message);
  }
}

/** Parses the evaluation CSV and runs `engine` on every line, each with its own language. */
export async function evaluateNlu(engine: NluEngine, csvText: string): Promise<EvalReport> {
  const utterances = parseLabelledCsv(csvText);
  const predictions: string[] = [];
  for (const utterance of utterances) {
    predictions.push((await engine.parse(utterance.text, utterance.lang)).intent);
  }
  return buildReport(utterances, predictions);
}

/** Reads the `text,intent,lang` CSV (header required, columns in any order) into labelled utterances. */
export function parseLabelledCsv(csvText: string): LabelledUtterance[] {
  const [header, ...rows] = parseCsv(csvText);
  if (!header) throw new EvalFileError('the CSV is empty');
  const column = (name: string): number => {
    const index = header.findIndex((cell) => cell.trim().toLowerCase() === name);
    if (index === -1) throw new EvalFileError(`the CSV header has no "${name}" column`);
    return index;
  };
  const [textColumn, intentColumn, langColumn] = [column('text'), column('intent'), column('lang')];
  return rows.map((row, index) => {
    const lang = (row[langColumn] ?? '').trim();
    if (!isLanguage(lang)) throw new EvalFileError(`line ${index + 2}: lang must be one of ${LANGUAGES.join(', ')}`);
    const intent = (row[intentColumn] ?? '').trim();
    if (intent === '') throw new EvalFileError(`line ${index + 2}: intent is empty`);
    return { text: row[textColumn] ?? '', intent, lang };
  });
}

/** One CSV field (quoted, with `""` for a quote, or bare) and the separator that ends it. */
const CSV_FIELD = /(?:"((?:[^"]|"")*)"|([^,"\r\n]*))(,|\r\n|\n|\r|$)/y;

/**
 * RFC 4180 CSV: comma-separated fields, fields in double quotes may hold commas, line breaks and `""`
 * (an escaped quote); CRLF or LF line ends; blank lines are skipped.
 */
export function parseCsv(csvText: string): string[][] {
  const text = csvText.replace(/^\uFEFF/, '');
  const field = new RegExp(CSV_FIELD.source, 'y');
  const rows: string[][] = [];
  let row: string[] = [];
  let separator = '';
  while (field.lastIndex < text.length) {
    const start = field.lastIndex;
    const match = field.exec(text);
    if (!match) throw new EvalFileError(`the CSV has a misplaced or unclosed quote on line ${lineAt(text, start)}`);
    row.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : (match[2] ?? ''));
    separator = match[3] ?? '';
    if (separator !== ',') {
      rows.push(row);
      row = [];
    }
  }
  if (separator === ',') rows.push([...row, '']);
  return rows.filter((cells) => cells.length > 1 || cells[0] !== '');
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split(/\r\n|\n|\r/).length;
}

function buildReport(utterances: LabelledUtterance[], predictions: string[]): EvalReport {
  const pairs = utterances.map((utterance, index) => ({ ...utterance, got: predictions[index] ?? NONE_INTENT }));
  const correct = (items: typeof pairs): number => items.filter((pair) => pair.got === pair.intent).length;
  const byLanguage = {} as EvalReport['byLanguage'];
  for (const lang of LANGUAGES) {
    const items = pairs.filter((pair) => pair.lang === lang);
    byLanguage[lang] = { accuracy: ratio(correct(items), items.length), n: items.length };
  }
  const outOfScope = pairs.filter((pair) => pair.intent === NONE_INTENT);
  return {
    accuracy: ratio(correct(pairs), pairs.length),
    byLanguage,
    perIntent: perIntentScores(pairs),
    outOfScope: { rejected: correct(outOfScope), n: outOfScope.length },
    confusions: countConfusions(pairs),
  };
}

function perIntentScores(pairs: Array<{ intent: string; got: string }>): EvalReport['perIntent'] {
  const intents = [...new Set(pairs.flatMap((pair) => [pair.intent, pair.got]))].sort();
  const scores: EvalReport['perIntent'] = {};
  for (const intent of intents) {
    const truePositives = pairs.filter((pair) => pair.intent === intent && pair.got === intent).length;
    const predicted = pairs.filter((pair) => pair.got === intent).length;
    const expected = pairs.filter((pair) => pair.intent === intent).length;
    scores[intent] = {
      precision: ratio(truePositives, predicted),
      recall: ratio(truePositives, expected),
      n: expected,
    };
  }
  return scores;
}

function countConfusions(pairs: Array<{ intent: string; got: string }>): Array<[string, string, number]> {
  const counts = new Map<string, [string, string, number]>();
  for (const { intent, got } of pairs) {
    if (intent === got) continue;
    const key = JSON.stringify([intent, got]);
    const entry = counts.get(key) ?? [intent, got, 0];
    entry[2] += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b[2] - a[2] || a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
