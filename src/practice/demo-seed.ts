/**
 * Seeds the demo practice, its main location and its default flows. Idempotent: existing rows are left alone, so
 * a manager's edits survive restarts.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { FlowDefinition } from '../flows/flow-schema';
import { seedFlows } from '../flows/flow-loader';
import { DEMO_PRACTICE_ID, DEMO_PRACTICE_NAME, DEMO_TIME_ZONE, demoLocationDetails, demoPracticeProfile } from './demo-practice';

export async function seedDemoPractice(db: Kysely<Database>, flows: readonly FlowDefinition[], now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('practices')
      .values({ id: DEMO_PRACTICE_ID, name: DEMO_PRACTICE_NAME, profile: JSON.stringify(demoPracticeProfile) })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    await trx
      .insertInto('locations')
      .values({
        id: `${DEMO_PRACTICE_ID}:main`,
        practice_id: DEMO_PRACTICE_ID,
        name: 'Riverside Family Medicine — River Road',
        time_zone: DEMO_TIME_ZONE,
        details: JSON.stringify(demoLocationDetails(now)),
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    await seedFlows(trx, DEMO_PRACTICE_ID, flows);
  });
}

/** True when no practice exists yet (a fresh database). */
export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('practices').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
