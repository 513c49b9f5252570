/**
 * `concierge nlu import-dialogflow`: a Dialogflow ES agent zip back into the intents/ layout, so a practice can move
 * its training phrases either way. The files are rebuilt by the export's own builder, so a zip made by
 * `flows export-dialogflow` imports to exactly the files it holds. What the local NLU does not use (entities, other
 * languages, parameters, contexts, responses) is reported rather than carried over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { LANGUAGES, type Language, isLanguage } from '../nlu/nlu-engine';
import { parseTrainingData } from '../nlu/training-data';
import { type AgentFiles, buildAgentFiles } from './dialogflow-agent';

/** Far above any agent export (the demo's is under 2 MB), low enough to hold in memory. */
export const MAX_AGENT_UNZIPPED_BYTES = 50 * 1024 * 1024;

export interface AgentImport {
  /** Relative path → text: agent.json, package.json and intents/. */
  files: AgentFiles;
  intents: number;
  phrases: Record<Language, number>;
  /** What the zip holds that is not carried over, one line each. */
  skipped: string[];
}

/** `intents/<intent>_usersays_<language>[-<region>].json` */
const PHRASE_FILE = /^intents\/(.+)_usersays_([a-z]+)(-[a-z0-9]+)?\.json$/i;
const INTENTS_FOLDER_FILE = /^intents\/[^/]+\.json$/;

/** Reads an agent zip (`zipName` names it in errors); throws a ValidationError when it is not one. */
export function importDialogflowAgent(zip: Uint8Array, zipName: string): AgentImport {
  const entries = unzipAgent(zip, zipName);
  const root = agentRoot(Object.keys(entries), zipName);
  const skipped: string[] = [];
  const texts = agentTexts(entries, root, skipped);
  const inZip = (names: string[]) => `${zipName}: ${names.map((name) => root + name).join(' + ')}`;
  const folded = foldPhraseFiles(texts, skipped, (file) => inZip([file]));
  const training = parseTrainingData(folded.texts, (file) => inZip(folded.origins.get(file) ?? [file]));
  // Read as it is, every field in its order (the reader above has checked it).
  const agent = z.record(z.string(), z.unknown()).parse(JSON.parse(folded.texts.get('agent.json')!));
  skipped.push(...droppedIntentFeatures(folded.texts));
  const intents = [...training.intents].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const phrases = { en: 0, es: 0 };
  for (const intent of intents) for (const lang of LANGUAGES) phrases[lang] += intent.phrases[lang].length;
  return { files: buildAgentFiles(agent, intents), intents: intents.length, phrases, skipped };
}

/** Replaces agent.json, package.json and intents/ in `dir` (files no longer in the agent go); nothing else. */
export async function writeAgentFolder(dir: string, files: AgentFiles): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.rm(path.join(dir, 'intents'), { recursive: true, force: true });
  for (const [relative, text] of files) {
    const file = path.join(dir, ...relative.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }
}

/** Sizes are checked from the zip's directory before anything is inflated. */
function unzipAgent(zip: Uint8Array, zipName: string): Record<string, Uint8Array> {
  const tooLarge = new ValidationError(`${zipName}: larger than ${MAX_AGENT_UNZIPPED_BYTES / 2 ** 20} MB unzipped`);
  if (zip.length > MAX_AGENT_UNZIPPED_BYTES) throw tooLarge;
  let total = 0;
  try {
    return unzipSync(zip, {
      filter: (file) => {
        total += file.originalSize;
        if (total > MAX_AGENT_UNZIPPED_BYTES) throw tooLarge;
        // Folders, and the resource forks macOS adds when it zips a folder.
        return !file.name.endsWith('/') && !file.name.startsWith('__MACOSX/');
      },
    });
  } catch (error) {
    if (error === tooLarge) throw error;
    throw new ValidationError(`${zipName}: not a readable zip file`, { cause: error });
  }
}

/** '' when agent.json is at the root, else the one top folder holding it (people zip the folder). */
function agentRoot(names: string[], zipName: string): string {
  if (names.includes('agent.json')) return '';
  const folders = names.filter((name) => /^[^/]+\/agent\.json$/.test(name));
  if (folders.length === 1) return folders[0]!.slice(0, -'agent.json'.length);
  throw new ValidationError(`${zipName}: no agent.json at its root or in a single top folder`);
}

/** The files the training data is read from, relative to the root; the rest goes to `skipped`. */
function agentTexts(entries: Record<string, Uint8Array>, root: string, skipped: string[]): Map<string, string> {
  const texts = new Map<string, string>();
  let entityFiles = 0;
  for (const [name, bytes] of Object.entries(entries)) {
    const relative = name.startsWith(root) ? name.slice(root.length) : undefined;
    if (relative === 'agent.json' || (relative !== undefined && INTENTS_FOLDER_FILE.test(relative))) {
      texts.set(relative, strFromU8(bytes));
    } else if (relative?.startsWith('entities/')) {
      entityFiles += 1;
    } else if (relative !== 'package.json') {
      skipped.push(name);
    }
  }
  if (entityFiles > 0) skipped.push(`entities/ (${filesCount(entityFiles)})`);
  return texts;
}

interface FoldedTexts {
  texts: Map<string, string>;
  /** A phrase file made from other files of the zip → their names, for error messages. */
  origins: Map<string, string[]>;
}

/**
 * Each intent's phrase files of one language (`_usersays_es`, `_usersays_es-419`) become its `_usersays_es.json`,
 * entries relabelled to the language, as the training data reader expects; other languages go to `skipped`.
 */
function foldPhraseFiles(
  texts: Map<string, string>,
  skipped: string[],
  describe: (file: string) => string,
): FoldedTexts {
  const folded = new Map<string, string>();
  const groups = new Map<string, string[]>();
  const otherLanguages = new Map<string, number>();
  for (const [file, text] of texts) {
    const phrases = phraseFileOf(file);
    if (phrases === undefined) folded.set(file, text);
    else if (isLanguage(phrases.lang)) groups.set(phrases.target, [...(groups.get(phrases.target) ?? []), file]);
    else otherLanguages.set(phrases.tag, (otherLanguages.get(phrases.tag) ?? 0) + 1);
  }
  const origins = new Map<string, string[]>();
  for (const [target, files] of groups) {
    // The language's own file first, then its regional variants.
    const ordered = files.sort().sort((a, b) => Number(b === target) - Number(a === target));
    const lang = phraseFileOf(target)!.lang;
    folded.set(
      target,
      JSON.stringify(ordered.flatMap((file) => phraseEntries(texts.get(file)!, lang, describe(file)))),
    );
    if (ordered.length > 1 || ordered[0] !== target) origins.set(target, ordered);
  }
  for (const [tag, count] of otherLanguages) skipped.push(`language ${tag} (${filesCount(count)})`);
  return { texts: folded, origins };
}

function phraseFileOf(file: string): { lang: string; tag: string; target: string } | undefined {
  const match = PHRASE_FILE.exec(file);
  if (match === null) return undefined;
  const lang = match[2]!.toLowerCase();
  return { lang, tag: `${lang}${match[3]?.toLowerCase() ?? ''}`, target: `intents/${match[1]}_usersays_${lang}.json` };
}

/** A phrase file's entries, those in a regional variant of `lang` relabelled to `lang` itself. */
function phraseEntries(text: string, lang: string, file: string): unknown[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${file}: invalid JSON`, { cause: error });
  }
  if (!Array.isArray(entries)) throw new ValidationError(`${file}: expected a list of phrases`);
  return entries.map((entry: unknown) =>
    isRecord(entry) && typeof entry.lang === 'string' && entry.lang.toLowerCase().split('-')[0] === lang
      ? { ...entry, lang }
      : entry,
  );
}

function filesCount(count: number): string {
  return count === 1 ? '1 file' : `${count} files`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const intentFeaturesSchema = z.object({
  contexts: z.array(z.unknown()).optional(),
  responses: z
    .array(
      z.object({
        affectedContexts: z.array(z.unknown()).optional(),
        parameters: z.array(z.unknown()).optional(),
        messages: z.array(z.unknown()).optional(),
      }),
    )
    .optional(),
});

/** Intents whose contexts, parameters or responses the local NLU does not carry over (it only classifies). */
function droppedIntentFeatures(texts: Map<string, string>): string[] {
  const dropped: string[] = [];
  for (const [file, text] of texts) {
    if (PHRASE_FILE.test(file) || !INTENTS_FOLDER_FILE.test(file)) continue;
    const intent = intentFeaturesSchema.safeParse(JSON.parse(text));
    if (!intent.success) continue;
    const responses = intent.data.responses ?? [];
    const used = (lists: Array<unknown[] | undefined>) => lists.some((list) => (list?.length ?? 0) > 0);
    const features = [
      used([intent.data.contexts, ...responses.map((response) => response.affectedContexts)]) ? 'contexts' : '',
      used(responses.map((response) => response.parameters)) ? 'parameters' : '',
      used(responses.map((response) => response.messages)) ? 'responses' : '',
    ].filter((feature) => feature !== '');
    if (features.length > 0) dropped.push(`${file}: ${features.join(', ')}`);
  }
  return dropped;
}
