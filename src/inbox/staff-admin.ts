/**
 * What admins do in the inbox: see the practice's staff accounts and reset one (a new one-time password, optionally
 * a new authenticator), and review break-glass access — each opening outside someone's scope stays flagged until an
 * admin marks it reviewed. Reading the sealed reasons is itself audited.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { Department, StaffRole } from '../db/staff-tables';
import { ValidationError } from '../errors';
import type { KeyRing } from '../phi/key-ring';
import type { StaffAccounts } from './staff-accounts';
import { ForbiddenError, type StaffContext } from './staff-scope';

export interface StaffAccountRow {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: StaffRole;
  readonly departments: readonly Department[];
  readonly locked: boolean;
  readonly totpEnrolled: boolean;
  readonly mustChangePassword: boolean;
}

export interface BreakGlassFlag {
  readonly grantId: number;
  readonly staffName: string;
  readonly staffRole: StaffRole;
  readonly conversationId: string;
  readonly reason: string;
  readonly openedAt: Date;
  readonly reviewedAt: Date | null;
  readonly reviewerName: string | null;
}

/** How many reviewed flags the page keeps showing below the open ones. */
const RECENTLY_REVIEWED = 20;

export function assertAdmin(staff: StaffContext): void {
  if (staff.role !== 'admin') throw new ForbiddenError('only admins manage staff accounts and break-glass reviews');
}

export class StaffAdmin {
  constructor(
    private readonly deps: {
      readonly db: Kysely<Database>;
      readonly keyRing: KeyRing;
      readonly audit: AuditLog;
      readonly accounts: StaffAccounts;
      readonly now: () => Date;
    },
  ) {}

  async staffAccounts(admin: StaffContext): Promise<StaffAccountRow[]> {
    assertAdmin(admin);
    const { db } = this.deps;
    const rows = await db
      .selectFrom('staff_users')
      .select(['id', 'name', 'email', 'role', 'locked_until', 'totp_enrolled_at', 'must_change_password'])
      .where('practice_id', '=', admin.practiceId)
      .where('disabled_at', 'is', null)
      .orderBy('name')
      .execute();
    if (rows.length === 0) return [];
    const departments = await db
      .selectFrom('staff_departments')
      .select(['staff_id', 'department'])
      .where(
        'staff_id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    const now = this.deps.now();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      role: row.role,
      departments: departments.filter((d) => d.staff_id === row.id).map((d) => d.department),
      locked: row.locked_until !== null && row.locked_until > now,
      totpEnrolled: row.totp_enrolled_at !== null,
      mustChangePassword: row.must_change_password,
    }));
  }

  /** Returns the new one-time password, shown to the admin once. */
  async resetPassword(
    admin: StaffContext,
    staffId: string,
    options: { readonly authenticator: boolean },
  ): Promise<{ name: string; email: string; oneTimePassword: string }> {
    assertAdmin(admin);
    if (staffId === admin.id) throw new ValidationError('another admin resets your own password');
    const member = await this.deps.db
      .selectFrom('staff_users')
      .select(['name', 'email'])
      .where('id', '=', staffId)
      .where('practice_id', '=', admin.practiceId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (!member) throw new ValidationError('no such staff member');
    const oneTimePassword = await this.deps.accounts.resetPassword(this.deps.db, staffId, `staff:${admin.id}`, options);
    return { ...member, oneTimePassword };
  }

  /** Flags not yet reviewed, oldest first, then the latest reviewed ones. */
  async breakGlassFlags(admin: StaffContext): Promise<{ open: BreakGlassFlag[]; reviewed: BreakGlassFlag[] }> {
    assertAdmin(admin);
    const base = () =>
      this.deps.db
        .selectFrom('break_glass_grants as g')
        .innerJoin('staff_users as s', 's.id', 'g.staff_id')
        .leftJoin('staff_users as r', 'r.id', 'g.reviewed_by')
        .select(['g.id', 'g.conversation_id', 'g.reason_enc', 'g.created_at', 'g.reviewed_at'])
        .select(['s.name as staff_name', 's.role as staff_role', 'r.name as reviewer_name'])
        .where('s.practice_id', '=', admin.practiceId);
    const open = await base().where('g.reviewed_at', 'is', null).orderBy('g.created_at').execute();
    const reviewed = await base()
      .where('g.reviewed_at', 'is not', null)
      .orderBy('g.reviewed_at', 'desc')
      .limit(RECENTLY_REVIEWED)
      .execute();
    const shown = [...open, ...reviewed];
    if (shown.length > 0) {
      await this.deps.audit.append(this.deps.db, {
        actor: `staff:${admin.id}`,
        action: 'inbox.break_glass_reasons_read',
        details: { grants: shown.map((row) => row.id).join(','), count: shown.length },
      });
    }
    const toFlag = (row: (typeof shown)[number]): BreakGlassFlag => ({
      grantId: row.id,
      staffName: row.staff_name,
      staffRole: row.staff_role,
      conversationId: row.conversation_id,
      reason: this.deps.keyRing.decrypt(row.reason_enc),
      openedAt: row.created_at,
      reviewedAt: row.reviewed_at,
      reviewerName: row.reviewer_name,
    });
    return { open: open.map(toFlag), reviewed: reviewed.map(toFlag) };
  }

  async openFlagCount(practiceId: string): Promise<number> {
    const row = await this.deps.db
      .selectFrom('break_glass_grants as g')
      .innerJoin('staff_users as s', 's.id', 'g.staff_id')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('s.practice_id', '=', practiceId)
      .where('g.reviewed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async markReviewed(admin: StaffContext, grantId: number): Promise<void> {
    assertAdmin(admin);
    await this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('break_glass_grants')
        .set({ reviewed_at: this.deps.now(), reviewed_by: admin.id })
        .where('id', '=', grantId)
        .where('reviewed_at', 'is', null)
        .where('staff_id', 'in', (eb) =>
          eb.selectFrom('staff_users').select('staff_users.id').where('staff_users.practice_id', '=', admin.practiceId),
        )
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new ValidationError('this break-glass flag is already reviewed');
      await this.deps.audit.append(trx, {
        actor: `staff:${admin.id}`,
        action: 'inbox.break_glass_reviewed',
        details: { grant: grantId },
      });
    });
  }
}
