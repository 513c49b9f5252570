/** Reads a practice's content for the flows. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { NotFoundError } from '../errors';
import { locationDetailsSchema, type PracticeContent, practiceProfileSchema } from './practice-profile';

export async function loadPracticeContent(db: Kysely<Database>, practiceId: string): Promise<PracticeContent> {
  const practice = await db.selectFrom('practices').selectAll().where('id', '=', practiceId).executeTakeFirst();
  if (!practice) throw new NotFoundError(`practice ${practiceId} does not exist`);
  const locations = await db.selectFrom('locations').selectAll().where('practice_id', '=', practiceId).orderBy('created_at').execute();
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
  const row = await db.selectFrom('practices').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return row?.id;
}
