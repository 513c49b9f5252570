/** Canned responses: practice wording staff insert into replies; practice managers and admins keep them. */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import { ValidationError } from '../errors';
import { ForbiddenError, type StaffContext, isSupervisor } from './staff-scope';

export class CannedResponses {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
  ) {}

  list(practiceId: string) {
    return this.db
      .selectFrom('canned_responses')
      .select(['id', 'title', 'body'])
      .where('practice_id', '=', practiceId)
      .orderBy('title')
      .execute();
  }

  /** Adds one, or replaces the text of the one with the same title. */
  async save(staff: StaffContext, title: string, body: string): Promise<void> {
    if (!isSupervisor(staff)) throw new ForbiddenError('only practice managers and admins edit canned responses');
    const name = title.trim();
    const text = body.trim();
    if (name === '' || name.length > 80 || text === '' || text.length > 1600)
      throw new ValidationError('a title (up to 80 characters) and a text (up to 1600) are needed');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('canned_responses')
        .values({ practice_id: staff.practiceId, title: name, body: text, updated_by: staff.id })
        .onConflict((oc) =>
          oc
            .columns(['practice_id', 'title'])
            .doUpdateSet({ body: text, updated_by: staff.id, updated_at: new Date() }),
        )
        .execute();
      await this.audit.append(trx, {
        actor: `staff:${staff.id}`,
        action: 'inbox.canned_saved',
        details: { title: name },
      });
    });
  }

  async remove(staff: StaffContext, id: string): Promise<void> {
    if (!isSupervisor(staff)) throw new ForbiddenError('only practice managers and admins edit canned responses');
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new ValidationError('no such canned response');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('canned_responses')
        .where('id', '=', id)
        .where('practice_id', '=', staff.practiceId)
        .execute();
      await this.audit.append(trx, { actor: `staff:${staff.id}`, action: 'inbox.canned_deleted', details: { id } });
    });
  }
}
