/**
 * A practice's content as files, for `concierge flows export` / `import`: `practice.yaml` (the practice, its
 * locations and FAQ answers), `flows/<flow-id>.yaml` (the format of the repository's flows/) and `intents/` (a
 * Dialogflow ES agent export, like the repository's intents/). Writing is deterministic — the same content gives the
 * same bytes — so an export, an import elsewhere and a second export compare equal. Reading goes through the loaders
 * and schemas the product already uses, so every error names its file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML, { YAMLError } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { FlowValidationError, parseFlowYaml } from '../flows/flow-loader';
import type { FlowDefinition, FlowStep } from '../flows/flow-schema';
import { loadTrainingData } from '../nlu/training-data';
import { type BundleFlow, type ContentBundle, contentBundleSchema, parseBundle } from './content-bundle';
import { shapeProblems } from './content-problems';
import { dialogflowAgentFiles } from './dialogflow-agent';

export const PRACTICE_FILE = 'practice.yaml';
export const FLOWS_FOLDER = 'flows';
export const INTENTS_FOLDER = 'intents';

/** What an export holds: the content and the practice it came from (a fresh database is seeded with that id). */
export interface ContentFiles {
  readonly practiceId: string;
  readonly content: ContentBundle;
}

const practiceFileSchema = z
  .object({
    practice: z.object({ id: z.string().min(1), ...contentBundleSchema.shape.practice.shape }).strict(),
    locations: contentBundleSchema.shape.locations,
    faq: contentBundleSchema.shape.faq,
  })
  .strict();

/** Map keys whose order carries no meaning; sorted so files do not depend on how the content was stored. */
const UNORDERED_STEP_FIELDS = new Set(['params', 'outcomes']);

/** The files of an export: relative path → text. */
export function contentFileTexts(files: ContentFiles): Map<string, string> {
  const content = parseBundle(files.content);
  const texts = new Map<string, string>();
  const { practice, locations, faq } = content;
  texts.set(PRACTICE_FILE, yaml({ practice: { id: files.practiceId, ...practice }, locations, faq }));
  for (const flow of content.flows) texts.set(`${FLOWS_FOLDER}/${flow.id}.yaml`, yaml(flowDocument(flow)));
  for (const [name, text] of dialogflowAgentFiles(content)) texts.set(`${INTENTS_FOLDER}/${name}`, text);
  return texts;
}

/** Writes an export into `dir`, replacing its flows/ and intents/ so files removed from the content go too. */
export async function writeContentFiles(dir: string, files: ContentFiles): Promise<void> {
  const texts = contentFileTexts(files);
  await fs.mkdir(dir, { recursive: true });
  for (const folder of [FLOWS_FOLDER, INTENTS_FOLDER]) {
    await fs.rm(path.join(dir, folder), { recursive: true, force: true });
  }
  for (const [relative, text] of texts) {
    const file = path.join(dir, ...relative.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }
}

/** Reads an export back; throws an error naming the file (and step or field) that is wrong. */
export async function readContentFiles(dir: string): Promise<ContentFiles> {
  const { practice, locations, faq } = await readPracticeFile(path.join(dir, PRACTICE_FILE));
  const flows = await readFlowFiles(path.join(dir, FLOWS_FOLDER));
  const training = await loadTrainingData(path.join(dir, INTENTS_FOLDER));
  const value = {
    practice: { name: practice.name, details: practice.details },
    locations,
    faq,
    flows,
    training: training.intents,
  };
  const problems = shapeProblems(value);
  if (problems.length > 0) throw new ValidationError(`${dir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { practiceId: practice.id, content: parseBundle(value) };
}

async function readPracticeFile(file: string): Promise<z.infer<typeof practiceFileSchema>> {
  let document: unknown;
  try {
    document = YAML.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new ValidationError(`${file}: ${readProblem(error)}`, { cause: error });
  }
  const parsed = practiceFileSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ValidationError(`${file}:\n${issues.join('\n')}`);
}

async function readFlowFiles(folder: string): Promise<FlowDefinition[]> {
  const names = await fs.readdir(folder).catch((error: unknown) => {
    throw new ValidationError(`${folder}: ${readProblem(error)}`, { cause: error });
  });
  const flows: FlowDefinition[] = [];
  const problems: string[] = [];
  for (const name of names.filter((file) => /\.ya?ml$/.test(file)).sort()) {
    const file = path.join(folder, name);
    const result = parseFlowYaml(file, await fs.readFile(file, 'utf8'));
    problems.push(...result.problems);
    if (result.flow) flows.push(result.flow);
  }
  if (problems.length > 0) throw new FlowValidationError(problems);
  return flows;
}

function readProblem(error: unknown): string {
  if (error instanceof YAMLError) return `not valid YAML (${error.message.split('\n')[0]})`;
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
}

/** A flow as its YAML file shows it: each step's id first, its kind's fields, `next` last. */
function flowDocument(flow: BundleFlow): object {
  return { ...flow, steps: flow.steps.map(stepDocument) };
}

function stepDocument(step: FlowStep): object {
  const entries = Object.entries(step).filter(([key]) => key !== 'kind');
  const fields = entries
    .filter(([key]) => key !== 'id' && key !== 'next')
    .map(([key, value]) => [key, UNORDERED_STEP_FIELDS.has(key) ? sortedKeys(value as object) : value] as const);
  return Object.fromEntries([
    ...entries.filter(([key]) => key === 'id'),
    ...fields,
    ...entries.filter(([key]) => key === 'next'),
  ]);
}

function sortedKeys(value: object): object {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function yaml(value: unknown): string {
  // No folding and no anchors: nothing a reader has to resolve. Lists of words on one line, as in flows/.
  const document = new YAML.Document(value, { aliasDuplicateObjects: false });
  YAML.visit(document, {
    Seq(_key, node) {
      if (node.items.every((item) => YAML.isScalar(item))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
