/**
 * Reads NLU training data from an `intents/` folder in Dialogflow ES agent-export layout
 * (`agent.json`, `intents/<name>.json`, `intents/<name>_usersays_<lang>.json`) into one plain structure
 * that every engine trains from. Each file is validated; a bad file fails with a message naming it. Parsing works on
 * the files' texts in memory, so an agent zip is read the same way as a folder.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import { LANGUAGES, type Language } from './nlu-engine';

export interface TrainingIntent {
  name: string;
  /** The fallback intent: its phrases are out-of-scope examples (negatives), not an intent to answer. */
  fallback: boolean;
  phrases: Record<Language, string[]>;
}

export interface TrainingData {
  intents: TrainingIntent[];
}

export class TrainingDataError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_training_data', 400, message, options);
  }
}

const agentSchema = z.object({ language: z.string().min(2) });

const intentSchema = z.object({
  id: z.string().min(1),
  name: z.string().trim().min(1),
  fallbackIntent: z.boolean().default(false),
});

const userSaysSchema = z.array(
  z.object({
    data: z.array(z.object({ text: z.string() })).min(1),
    lang: z.string().optional(),
  }),
);

const USER_SAYS_FILE = /_usersays_[a-z]{2}(?:-[a-z]+)?\.json$/i;

const INTENTS_FOLDER = 'intents';
/** A file directly in intents/, as a folder listing on disk gives it. */
const INTENTS_FOLDER_FILE = /^intents\/[^/]+\.json$/;

/** An agent export in memory: relative path (`agent.json`, `intents/<name>.json`, …) → file text. */
export type AgentExportTexts = ReadonlyMap<string, string>;

/** Where a file comes from and how errors name it (a path on disk, a file in a zip). */
interface ExportSource {
  texts: AgentExportTexts;
  describe: (relative: string) => string;
}

/** Loads and validates the training data of the agent export at `intentsDir`. */
export async function loadTrainingData(intentsDir: string): Promise<TrainingData> {
  const texts = await readAgentFolder(intentsDir);
  return parseTrainingData(texts, (relative) => path.join(intentsDir, relative));
}

/** Validates an agent export held in memory; `describe` gives the name an error shows for a relative path. */
export function parseTrainingData(texts: AgentExportTexts, describe: (relative: string) => string): TrainingData {
  const source = { texts, describe };
  parseJsonFile(source, 'agent.json', agentSchema);
  const intentFiles = [...texts.keys()].filter((file) => INTENTS_FOLDER_FILE.test(file) && !USER_SAYS_FILE.test(file));
  const intents = intentFiles.sort().map((file) => parseIntent(source, file));
  assertUsable(intents, describe(INTENTS_FOLDER));
  return { intents };
}

function parseIntent(source: ExportSource, file: string): TrainingIntent {
  const intent = parseJsonFile(source, file, intentSchema);
  const baseName = file.slice(0, -'.json'.length);
  const phrases = {} as Record<Language, string[]>;
  for (const lang of LANGUAGES) {
    const userSaysFile = `${baseName}_usersays_${lang}.json`;
    phrases[lang] = source.texts.has(userSaysFile) ? parsePhrases(source, userSaysFile, lang) : [];
  }
  return { name: intent.name, fallback: intent.fallbackIntent, phrases };
}

function parsePhrases(source: ExportSource, file: string, lang: Language): string[] {
  const entries = parseJsonFile(source, file, userSaysSchema);
  const phrases: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry.lang !== undefined && entry.lang !== lang) {
      const message = `[${index}].lang is "${entry.lang}" but the file is for "${lang}"`;
      throw new TrainingDataError(`${source.describe(file)}: ${message}`);
    }
    const text = entry.data
      .map((part) => part.text)
      .join('')
      .trim();
    if (text === '') throw new TrainingDataError(`${source.describe(file)}: [${index}] has an empty phrase`);
    phrases.push(text);
  }
  return phrases;
}

function assertUsable(intents: TrainingIntent[], folder: string): void {
  if (intents.length === 0) throw new TrainingDataError(`${folder}: no intent files found`);
  const seen = new Set<string>();
  for (const intent of intents) {
    if (seen.has(intent.name)) throw new TrainingDataError(`${folder}: intent "${intent.name}" is defined twice`);
    seen.add(intent.name);
  }
}

function parseJsonFile<T>(source: ExportSource, file: string, schema: z.ZodType<T>): T {
  const text = source.texts.get(file);
  if (text === undefined) throw new TrainingDataError(`${source.describe(file)}: is missing`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrainingDataError(`${source.describe(file)}: invalid JSON (${reason})`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new TrainingDataError(`${source.describe(file)}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** agent.json and every `.json` file of `intents/`, read from disk; a file that cannot be read is named. */
async function readAgentFolder(intentsDir: string): Promise<AgentExportTexts> {
  const texts = new Map([['agent.json', await readText(path.join(intentsDir, 'agent.json'))]]);
  const folder = path.join(intentsDir, INTENTS_FOLDER);
  const names = await readdir(folder).catch((error: unknown) => {
    throw new TrainingDataError(`${folder}: cannot read the intents folder`, { cause: error });
  });
  for (const name of names.filter((file) => file.endsWith('.json'))) {
    texts.set(`${INTENTS_FOLDER}/${name}`, await readText(path.join(folder, name)));
  }
  return texts;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new TrainingDataError(`${file}: cannot be read`, { cause: error });
  }
}
