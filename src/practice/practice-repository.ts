/** Reads a practice's content for the flows. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { NotFoundError } from '../errors';
import { locationDetailsSchema, type PracticeContent, practiceProfileSchema } from './practice-profile';

export async function loadPracticeContent(db: Kysely<Database>, practiceId: string): Promise<PracticeContent> {
  const practice = await db.selectFrom('practices').selectAll().where('id', '=', practiceId).executeTakeFirst();
  if (!practice) throw new NotFoundError(`practice ${practiceId} does not exist`);
  const locations = await db
    .selectFrom('locations')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .orderBy('created_at')
    .execute();
  const faqRows = await db.selectFrom('faq_entries').selectAll().where('practice_id', '=', practiceId).execute();
  const faq = new Map<string, { en?: string; es?: string }>();
  for (const row of faqRows) faq.set(row.topic, { ...faq.get(row.topic), [row.lang]: row.answer });
  return {
    id: practice.id,
    name: practice.name,
    profile: practiceProfileSchema.parse(practice.profile),
    locations: locations.map((location) => ({
      id: location.id,
      name: location.name,
      timeZone: location.time_zone,
      details: locationDetailsSchema.parse(location.details),
    })),
    faq,
  };
}

/** This deployment's practice: the first one created (one practice per deployment for now). */
export async function findDefaultPracticeId(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('practices')
    .select('id')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Practice content changes rarely (a manager's edit) but every turn reads it: keep each practice for a few seconds
 * instead of three queries and a schema check per message.
 */
export class PracticeContentCache {
  private readonly entries = new Map<string, { content: PracticeContent; loadedAt: number }>();

  constructor(private readonly ttlMs = 5_000) {}

  async get(db: Kysely<Database>, practiceId: string, now = Date.now()): Promise<PracticeContent> {
    const cached = this.entries.get(practiceId);
    if (cached && now - cached.loadedAt < this.ttlMs) return cached.content;
    const content = await loadPracticeContent(db, practiceId);
    this.entries.set(practiceId, { content, loadedAt: now });
    return content;
  }

  /** After a publish: the next read loads the new details. */
  clear(): void {
    this.entries.clear();
  }
}
