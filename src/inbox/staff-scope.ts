/**
 * Who may see which conversation. Everyone sees the items of their departments at their locations; admins see all;
 * supervisors (practice managers and admins) also see items re-escalated past their target. Anything else needs
 * break-glass: a reason, kept sealed, audited, flagged to admins, good for one hour.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { Department, StaffRole } from '../db/staff-tables';
import type { KeyRing } from '../phi/key-ring';
import { AppError } from '../errors';

export interface StaffContext {
  readonly id: string;
  readonly practiceId: string;
  readonly name: string;
  readonly email: string;
  readonly role: StaffRole;
  readonly departments: readonly Department[];
  readonly locations: readonly string[];
  readonly available: boolean;
}

export const BREAK_GLASS_MS = 60 * 60_000;

export class ForbiddenError extends AppError {
  constructor(message = 'this conversation is outside your departments') {
    super('forbidden', 403, message);
  }
}

export function isSupervisor(staff: StaffContext): boolean {
  return staff.role === 'practice_manager' || staff.role === 'admin';
}

export async function loadStaffContext(db: Kysely<Database>, staffId: string): Promise<StaffContext | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .select(['id', 'practice_id', 'name', 'email', 'role', 'available'])
    .where('id', '=', staffId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const departments = await db
    .selectFrom('staff_departments')
    .select('department')
    .where('staff_id', '=', staffId)
    .execute();
  const locations = await db
    .selectFrom('staff_locations')
    .select('location_id')
    .where('staff_id', '=', staffId)
    .execute();
  return {
    id: row.id,
    practiceId: row.practice_id,
    name: row.name,
    email: row.email,
    role: row.role,
    available: row.available,
    departments: departments.map((d) => d.department),
    locations: locations.map((l) => l.location_id),
  };
}

/** Whether an item (its department and location, escalated or not) is within the person's own scope. */
export function inScope(
  staff: StaffContext,
  item: { readonly department: Department; readonly location_id: string | null; readonly escalated_at?: Date | null },
): boolean {
  if (staff.role === 'admin') return true;
  if (isSupervisor(staff) && item.escalated_at) return true;
  const location =
    item.location_id === null || staff.locations.length === 0 || staff.locations.includes(item.location_id);
  return location && staff.departments.includes(item.department);
}

export class StaffScope {
  constructor(
    private readonly deps: { readonly keyRing: KeyRing; readonly audit: AuditLog; readonly now: () => Date },
  ) {}

  /** Throws ForbiddenError unless the conversation is in scope or a break-glass grant of this person covers it. */
  async assertCanOpen(db: Kysely<Database>, staff: StaffContext, conversationId: string): Promise<void> {
    const item = await latestItem(db, conversationId);
    // A conversation never handed to staff belongs to the front desk (where a bot conversation would go).
    if (inScope(staff, item ?? { department: 'front_desk', location_id: null })) return;
    if (!(await hasBreakGlass(db, staff.id, conversationId, this.deps.now()))) throw new ForbiddenError();
  }

  /** Opens a conversation outside one's scope: the reason is required, sealed and audited; admins see the flag. */
  async breakGlass(db: Kysely<Database>, staff: StaffContext, conversationId: string, reason: string): Promise<void> {
    const text = reason.trim();
    if (text.length < 10) throw new ForbiddenError('break-glass needs a reason of at least 10 characters');
    const now = this.deps.now();
    await db.transaction().execute(async (trx) => {
      const grant = await trx
        .insertInto('break_glass_grants')
        .values({
          staff_id: staff.id,
          conversation_id: conversationId,
          reason_enc: this.deps.keyRing.encrypt(text),
          expires_at: new Date(now.getTime() + BREAK_GLASS_MS),
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.deps.audit.append(trx, {
        actor: `staff:${staff.id}`,
        action: 'inbox.break_glass',
        purpose: 'break_glass',
        details: { conversation: conversationId, grant: grant.id, role: staff.role },
      });
    });
  }
}

/** Whether a break-glass grant of this person covers the conversation now. */
export async function hasBreakGlass(
  db: Kysely<Database>,
  staffId: string,
  conversationId: string,
  now: Date,
): Promise<boolean> {
  const grant = await db
    .selectFrom('break_glass_grants')
    .select('id')
    .where('staff_id', '=', staffId)
    .where('conversation_id', '=', conversationId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return grant !== undefined;
}

export async function latestItem(db: Kysely<Database>, conversationId: string) {
  return db
    .selectFrom('handoff_requests')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
