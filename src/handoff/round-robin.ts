/**
 * Automatic assignment: among the department's staff who marked themselves available, are signed in, and hold
 * fewer open items than their capacity, the one assigned longest ago takes the item (round-robin).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { Department } from '../db/staff-tables';

/** Signed in means a session seen within this time (the idle log-off ends it after 15 minutes anyway). */
const PRESENCE_MS = 15 * 60_000;

export async function assignRoundRobin(
  trx: Kysely<Database>,
  item: {
    readonly itemId: number;
    readonly conversationId: string;
    readonly department: Department;
    readonly now: Date;
  },
): Promise<string | null> {
  const candidate = await trx
    .selectFrom('staff_users as s')
    .innerJoin('staff_departments as d', 'd.staff_id', 's.id')
    .select('s.id')
    .where('d.department', '=', item.department)
    .where('s.available', '=', true)
    .where('s.disabled_at', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('staff_sessions')
          .select('id')
          .whereRef('staff_id', '=', 's.id')
          .where('step', '=', 'active')
          .where('ended_at', 'is', null)
          .where('last_seen_at', '>', new Date(item.now.getTime() - PRESENCE_MS)),
      ),
    )
    .where(
      (eb) =>
        eb
          .selectFrom('handoff_requests')
          .select(sql<number>`count(*)::int`.as('open'))
          .whereRef('assignee_id', '=', 's.id')
          .where('state', '=', 'assigned'),
      '<',
      sql<number>`s.capacity`,
    )
    .orderBy(sql`s.last_assigned_at asc nulls first`)
    .orderBy('s.id')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
  if (!candidate) return null;
  await trx
    .updateTable('handoff_requests')
    .set({ state: 'assigned', assignee_id: candidate.id, claimed_at: item.now, updated_at: item.now })
    .where('id', '=', item.itemId)
    .execute();
  await trx.updateTable('conversations').set({ state: 'assigned' }).where('id', '=', item.conversationId).execute();
  await trx.updateTable('staff_users').set({ last_assigned_at: item.now }).where('id', '=', candidate.id).execute();
  return candidate.id;
}
