/**
 * The live tables the bot reads (practices.profile, locations.details, faq_entries, flows + flow_versions) and a
 * release: a snapshot of them becomes a practice's first release; publishing writes a release into them. A flow
 * whose definition changed gets a new version and the old one is archived, not deleted: conversations inside it
 * finish on the version they started (its dialog stays registered).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { ValidationError } from '../errors';
import { loadPublishedFlows } from '../flows/flow-loader';
import type { TrainingData } from '../nlu/training-data';
import { loadPracticeContent } from '../practice/practice-repository';
import { type ContentBundle, PRACTICE_DETAIL_KEYS, canonicalBundle, practiceDetailsSchema } from './content-bundle';

export async function snapshotLiveContent(
  db: Kysely<Database>,
  practiceId: string,
  training: TrainingData,
): Promise<ContentBundle> {
  const practice = await loadPracticeContent(db, practiceId);
  const flows = await loadPublishedFlows(db, practiceId);
  return canonicalBundle({
    practice: { name: practice.name, details: practiceDetailsSchema.parse(pickDetails(practice.profile)) },
    locations: practice.locations.map((location) => ({
      id: location.id,
      name: location.name,
      timeZone: location.timeZone,
      details: location.details,
    })),
    faq: [...practice.faq].map(([topic, answers]) => ({ topic, ...answers })),
    flows: flows.map((flow) => flow.definition),
    training: training.intents.map((intent) => ({
      name: intent.name,
      fallback: intent.fallback,
      phrases: { en: [...intent.phrases.en], es: [...intent.phrases.es] },
    })),
  });
}

function pickDetails(profile: object): Record<string, unknown> {
  const source = profile as Record<string, unknown>;
  return Object.fromEntries(PRACTICE_DETAIL_KEYS.filter((key) => key in source).map((key) => [key, source[key]]));
}

/** Writes a release into the live tables (inside the caller's transaction); returns the flows that changed. */
export async function writeLiveContent(
  trx: Kysely<Database>,
  practiceId: string,
  bundle: ContentBundle,
  now: Date,
): Promise<string[]> {
  const practice = await trx
    .selectFrom('practices')
    .select('profile')
    .where('id', '=', practiceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const profile = Object.fromEntries(
    Object.entries(practice.profile as Record<string, unknown>).filter(
      ([key]) => !(PRACTICE_DETAIL_KEYS as readonly string[]).includes(key),
    ),
  );
  await trx
    .updateTable('practices')
    .set({ name: bundle.practice.name, profile: JSON.stringify({ ...profile, ...bundle.practice.details }) })
    .where('id', '=', practiceId)
    .execute();

  const known = await trx.selectFrom('locations').select('id').where('practice_id', '=', practiceId).execute();
  for (const location of bundle.locations) {
    if (!known.some((row) => row.id === location.id)) {
      await trx
        .insertInto('locations')
        .values({
          id: location.id,
          practice_id: practiceId,
          name: location.name,
          time_zone: location.timeZone,
          details: JSON.stringify(location.details),
        })
        .execute();
      continue;
    }
    await trx
      .updateTable('locations')
      .set({ name: location.name, details: JSON.stringify(location.details) })
      .where('id', '=', location.id)
      .where('practice_id', '=', practiceId)
      .execute();
  }

  await trx.deleteFrom('faq_entries').where('practice_id', '=', practiceId).execute();
  const answers = bundle.faq.flatMap((entry) =>
    (['en', 'es'] as const)
      .filter((lang) => entry[lang] !== undefined && entry[lang].trim() !== '')
      .map((lang) => ({ practice_id: practiceId, topic: entry.topic, lang, answer: entry[lang]!, updated_at: now })),
  );
  if (answers.length > 0) await trx.insertInto('faq_entries').values(answers).execute();

  return writeLiveFlows(trx, practiceId, bundle, now);
}

async function writeLiveFlows(
  trx: Kysely<Database>,
  practiceId: string,
  bundle: ContentBundle,
  now: Date,
): Promise<string[]> {
  const live = new Map(
    (await loadPublishedFlows(trx, practiceId)).map((flow) => [flow.definition.id, flow.definition] as const),
  );
  const stored = canonicalBundle({ ...bundle, flows: [...live.values()] }).flows;
  const changed: string[] = [];
  for (const flow of bundle.flows) {
    const current = stored.find((candidate) => candidate.id === flow.id);
    if (current && JSON.stringify(current) === JSON.stringify(flow)) continue;
    const flowId = `${practiceId}:${flow.id}`;
    await trx
      .insertInto('flows')
      .values({ id: flowId, practice_id: practiceId, key: flow.id })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    const latest = await trx
      .selectFrom('flow_versions')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('flow_id', '=', flowId)
      .executeTakeFirst();
    await archiveFlow(trx, flowId);
    await trx
      .insertInto('flow_versions')
      .values({
        flow_id: flowId,
        version: Number(latest?.version ?? 0) + 1,
        status: 'published',
        definition: JSON.stringify(flow),
        published_at: now,
      })
      .execute();
    changed.push(flow.id);
  }
  for (const id of live.keys()) {
    if (bundle.flows.some((flow) => flow.id === id)) continue;
    if (id === 'fallback') throw new ValidationError("the 'fallback' flow cannot be removed");
    await archiveFlow(trx, `${practiceId}:${id}`);
    changed.push(id);
  }
  return changed;
}

async function archiveFlow(trx: Kysely<Database>, flowId: string): Promise<void> {
  await trx
    .updateTable('flow_versions')
    .set({ status: 'archived' })
    .where('flow_id', '=', flowId)
    .where('status', '=', 'published')
    .execute();
}
