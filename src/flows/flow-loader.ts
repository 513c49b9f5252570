/**
 * Reads flows: YAML files in flows/ (the defaults that seed a practice) and the published versions in the database
 * (what conversations run). File errors name the file, the step and the field.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import YAML from 'yaml';
import type { z } from 'zod';
import type { Database } from '../db/schema';
import type { ActionRegistry } from './action-registry';
import { type FlowDefinition, flowDefinitionSchema } from './flow-schema';
import { findFlowProblems } from './flow-validation';

export interface VersionedFlow {
  readonly definition: FlowDefinition;
  readonly version: number;
}

export class FlowValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Flows are not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'FlowValidationError';
  }
}

/** Parses one YAML text; returns the flow or readable problems prefixed with `source`. */
export function parseFlowYaml(source: string, text: string): { flow?: FlowDefinition; problems: string[] } {
  let document: unknown;
  try {
    document = YAML.parse(text);
  } catch (error) {
    return { problems: [`${source}: not valid YAML (${(error as Error).message.split('\n')[0]})`] };
  }
  const parsed = flowDefinitionSchema.safeParse(document);
  if (parsed.success) return { flow: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => `${source}: ${describeIssuePath(document, issue)}${issue.message}`),
  };
}

/** "step 'answer' (steps[1].say.es): " — names the step by id when the path goes through one. */
function describeIssuePath(document: unknown, issue: z.core.$ZodIssue): string {
  const issuePath = issue.path;
  if (issuePath.length === 0) return '';
  const dotted = issuePath
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
  if (issuePath[0] === 'steps' && typeof issuePath[1] === 'number') {
    const steps = (document as { steps?: Array<{ id?: unknown }> } | null)?.steps;
    const id = steps?.[issuePath[1]]?.id;
    if (typeof id === 'string') return `step '${id}' (${dotted}): `;
  }
  return `${dotted}: `;
}

/** Loads and validates every `*.yaml` in a folder; throws FlowValidationError listing all problems. */
export async function loadFlowFiles(directory: string, actions: ActionRegistry): Promise<FlowDefinition[]> {
  const files = (await fs.readdir(directory)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const flows: FlowDefinition[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const source = path.join(path.basename(directory), file);
    const result = parseFlowYaml(source, await fs.readFile(path.join(directory, file), 'utf8'));
    problems.push(...result.problems);
    if (result.flow) flows.push(result.flow);
  }
  problems.push(...findFlowProblems(flows, actions));
  if (problems.length > 0) throw new FlowValidationError(problems);
  return flows;
}

/** The published version of each of the practice's flows. */
export async function loadPublishedFlows(db: Kysely<Database>, practiceId: string): Promise<VersionedFlow[]> {
  const rows = await db
    .selectFrom('flow_versions')
    .innerJoin('flows', 'flows.id', 'flow_versions.flow_id')
    .select(['flow_versions.definition', 'flow_versions.version'])
    .where('flows.practice_id', '=', practiceId)
    .where('flow_versions.status', '=', 'published')
    .orderBy('flows.key')
    .execute();
  return rows.map((row) => ({ definition: flowDefinitionSchema.parse(row.definition), version: row.version }));
}

/**
 * The practice's flow versions a conversation may be inside: the published ones (which new conversations start) and
 * the archived ones (which conversations started before a publish finish on).
 */
export async function loadFlowVersions(
  db: Kysely<Database>,
  practiceId: string,
): Promise<{ published: VersionedFlow[]; archived: VersionedFlow[] }> {
  const rows = await db
    .selectFrom('flow_versions')
    .innerJoin('flows', 'flows.id', 'flow_versions.flow_id')
    .select(['flow_versions.definition', 'flow_versions.version', 'flow_versions.status'])
    .where('flows.practice_id', '=', practiceId)
    .where('flow_versions.status', 'in', ['published', 'archived'])
    .orderBy('flows.key')
    .orderBy('flow_versions.version')
    .execute();
  const versioned = (row: (typeof rows)[number]) => ({
    definition: flowDefinitionSchema.parse(row.definition),
    version: row.version,
  });
  return {
    published: rows.filter((row) => row.status === 'published').map(versioned),
    archived: rows.filter((row) => row.status === 'archived').map(versioned),
  };
}

/** Stores each flow as published version 1 unless the practice already has that flow. */
export async function seedFlows(
  db: Kysely<Database>,
  practiceId: string,
  flows: readonly FlowDefinition[],
): Promise<void> {
  for (const flow of flows) {
    const flowId = `${practiceId}:${flow.id}`;
    const inserted = await db
      .insertInto('flows')
      .values({ id: flowId, practice_id: practiceId, key: flow.id })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    await db
      .insertInto('flow_versions')
      .values({
        flow_id: flowId,
        version: 1,
        status: 'published',
        definition: JSON.stringify(flow),
        published_at: new Date(),
      })
      .execute();
  }
}
