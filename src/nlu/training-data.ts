/**
 * Reads NLU training data from an `intents/` folder in Dialogflow ES agent-export layout
 * (`agent.json`, `intents/<name>.json`, `intents/<name>_usersays_<lang>.json`) into one plain structure
 * that every engine trains from. Each file is validated; a bad file fails with a message naming it.
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

/** Loads and validates the training data of the agent export at `intentsDir`. */
export async function loadTrainingData(intentsDir: string): Promise<TrainingData> {
  await readJsonFile(path.join(intentsDir, 'agent.json'), agentSchema);
  const folder = path.join(intentsDir, 'intents');
  const files = await listJsonFiles(folder);
  const intents: TrainingIntent[] = [];
  for (const file of files.filter((name) => !USER_SAYS_FILE.test(name)).sort()) {
    intents.push(await loadIntent(folder, file, files));
  }
  assertUsable(intents, folder);
  return { intents };
}

async function loadIntent(folder: string, file: string, files: string[]): Promise<TrainingIntent> {
  const intent = await readJsonFile(path.join(folder, file), intentSchema);
  const baseName = file.slice(0, -'.json'.length);
  const phrases = {} as Record<Language, string[]>;
  for (const lang of LANGUAGES) {
    const userSaysFile = `${baseName}_usersays_${lang}.json`;
    phrases[lang] = files.includes(userSaysFile) ? await loadPhrases(path.join(folder, userSaysFile), lang) : [];
  }
  return { name: intent.name, fallback: intent.fallbackIntent, phrases };
}

async function loadPhrases(file: string, lang: Language): Promise<string[]> {
  const entries = await readJsonFile(file, userSaysSchema);
  const phrases: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry.lang !== undefined && entry.lang !== lang) {
      throw new TrainingDataError(`${file}: [${index}].lang is "${entry.lang}" but the file is for "${lang}"`);
    }
    const text = entry.data
      .map((part) => part.text)
      .join('')
      .trim();
    if (text === '') throw new TrainingDataError(`${file}: [${index}] has an empty phrase`);
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

async function listJsonFiles(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    throw new TrainingDataError(`${folder}: cannot read the intents folder`, { cause: error });
  }
}

async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `invalid JSON (${error.message})` : 'cannot be read';
    throw new TrainingDataError(`${file}: ${reason}`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new TrainingDataError(`${file}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
