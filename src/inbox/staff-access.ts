/**
 * Taking access away, for an operator containing an incident (infra/docs/incident-response.md): disable an account
 * (it can no longer log in and its sessions end), enable it again, or end every staff session of the practice.
 * Each change is audited in the same transaction, so the record of who was shut out, and when, cannot be lost.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import { ValidationError } from '../errors';
import { endOpenSessions } from './staff-sessions';

export interface StaffAccessDeps {
  readonly db: Kysely<Database>;
  readonly audit: AuditLog;
  readonly now?: () => Date;
  /** Who does it, as the audit log names actors (`cli`, `staff:<id>`). */
  readonly actor: string;
}

/** Disables the account and ends its open sessions; returns how many sessions ended. */
export async function disableStaff(deps: StaffAccessDeps, staffId: string): Promise<{ sessionsEnded: number }> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    await setDisabledAt(trx, staffId, now);
    const sessionsEnded = await endOpenSessions(trx, { staffId }, 'revoked', now);
    await deps.audit.append(trx, {
      actor: deps.actor,
      action: 'staff.disabled',
      details: { staff: staffId, sessionsEnded },
    });
    return { sessionsEnded };
  });
}

/** Lets a disabled account log in again (with the password it had: reset it if that may be known to others). */
export async function enableStaff(deps: StaffAccessDeps, staffId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await setDisabledAt(trx, staffId, null);
    await deps.audit.append(trx, { actor: deps.actor, action: 'staff.enabled', details: { staff: staffId } });
  });
}

/** Ends every open staff session of the practice: everyone logs in again (password and authenticator). */
export async function signOutEveryone(deps: StaffAccessDeps, practiceId: string): Promise<{ sessionsEnded: number }> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const sessionsEnded = await endOpenSessions(trx, { practiceId }, 'revoked', now);
    await deps.audit.append(trx, { actor: deps.actor, action: 'staff.sessions_revoked', details: { sessionsEnded } });
    return { sessionsEnded };
  });
}

async function setDisabledAt(trx: Transaction<Database>, staffId: string, at: Date | null): Promise<void> {
  const updated = await trx
    .updateTable('staff_users')
    .set({ disabled_at: at, updated_at: at ?? new Date() })
    .where('id', '=', staffId)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) throw new ValidationError('no such staff member');
}
