/**
 * Moving a practice's published content out of and into a database (`concierge flows export` / `import`). An import
 * into a database with no practice yet creates the practice from the files, so export → import into a fresh
 * database → export gives the same files.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { ValidationError } from '../errors';
import type { ActionRegistry } from '../flows/action-registry';
import { loadTrainingData } from '../nlu/training-data';
import { practiceProfileSchema } from '../practice/practice-profile';
import { findDefaultPracticeId } from '../practice/practice-repository';
import { INTENTS_DIR } from '../project-paths';
import { publishProblems } from './content-problems';
import type { ContentReleases, PublishResult } from './content-releases';
import type { ContentFiles } from './content-files';
import { snapshotLiveContent } from './live-content';

export interface ContentTransferDeps {
  readonly db: Kysely<Database>;
  readonly releases: ContentReleases;
  readonly actions: ActionRegistry;
}

/**
 * The default practice's published release with its version. A practice that has never been started has none yet:
 * it gets its first release from the live tables, as the product's start-up would make it.
 */
export async function publishedContent(deps: ContentTransferDeps): Promise<ContentFiles & { version: number }> {
  const practiceId = await findDefaultPracticeId(deps.db);
  if (!practiceId) throw new Error('no practice exists: run `concierge seed-demo` or `concierge flows import <dir>`');
  await deps.releases.ensurePublished(practiceId, async () =>
    snapshotLiveContent(deps.db, practiceId, await loadTrainingData(INTENTS_DIR)),
  );
  const published = (await deps.releases.published(practiceId))!;
  return { practiceId, content: published.content, version: published.version };
}

/**
 * Publishes the files' content as the default practice's next version, creating the practice if there is none.
 * Checked before anything is written, so a bad import leaves no practice behind either.
 */
export async function importContent(
  deps: ContentTransferDeps,
  files: ContentFiles,
  actor: string,
): Promise<PublishResult> {
  const problems = publishProblems(files.content, deps.actions);
  if (problems.length > 0) {
    throw new ValidationError(`The files cannot be published:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  const practiceId = (await findDefaultPracticeId(deps.db)) ?? (await createPractice(deps.db, files));
  return deps.releases.importRelease(practiceId, files.content, actor);
}

/** The practice row alone: publishing adds its locations, FAQ and flows. */
async function createPractice(db: Kysely<Database>, files: ContentFiles): Promise<string> {
  const { name, details } = files.content.practice;
  // Operational settings (PHI policy, handoff, retention…) start at their defaults; they are configured, not imported.
  const profile = practiceProfileSchema.parse(details);
  await db
    .insertInto('practices')
    .values({ id: files.practiceId, name, profile: JSON.stringify(profile) })
    .execute();
  return files.practiceId;
}
