/**
 * Staff accounts: created with a one-time password that must be changed at first login, passwords hashed with
 * argon2id, and a lockout after repeated failures. A login attempt for an unknown email costs the same hash as a real
 * one and answers the same, so the login form does not tell who works here.
 */
import crypto from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import { DEPARTMENTS, type Department, STAFF_ROLES, type StaffRole } from '../db/staff-tables';
import { ValidationError } from '../errors';
import { endOpenSessions } from './staff-sessions';

export interface StaffMember {
  readonly id: string;
  readonly practiceId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly mustChangePassword: boolean;
  readonly totpEnrolled: boolean;
}

export interface NewStaffMember {
  readonly practiceId: string;
  readonly email: string;
  readonly name: string;
  readonly role: string;
  readonly departments?: readonly string[];
  readonly locations?: readonly string[];
}

export type PasswordCheck =
  | { readonly status: 'ok'; readonly staff: StaffMember }
  | { readonly status: 'invalid' }
  | { readonly status: 'locked'; readonly until: Date };

/** Failures in a row before the account locks, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
export const MIN_PASSWORD_LENGTH = 12;

/** Argon2id (the library's const enum value 2, which an isolated-modules build cannot read), its default cost. */
const HASH_OPTIONS = { algorithm: 2 as Algorithm };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Hashed once, for unknown emails: the same work as a real check. */
const DECOY_HASH = hash(crypto.randomBytes(16).toString('hex'), HASH_OPTIONS);

/** Default department by role, when none is given. */
const ROLE_DEPARTMENT: Readonly<Record<StaffRole, Department>> = {
  front_desk: 'front_desk',
  nurse: 'nurse_line',
  billing: 'billing',
  practice_manager: 'practice_management',
  admin: 'practice_management',
};

export class StaffAccounts {
  constructor(
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the account; returns it with its one-time password (shown once, never stored). */
  async add(
    db: Kysely<Database>,
    member: NewStaffMember,
    actor: string,
  ): Promise<StaffMember & { oneTimePassword: string }> {
    const email = member.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new ValidationError('email is not an email address');
    if (member.name.trim() === '') throw new ValidationError('name is empty');
    if (!(STAFF_ROLES as readonly string[]).includes(member.role)) {
      throw new ValidationError(`role must be one of ${STAFF_ROLES.join(', ')}`);
    }
    const role = member.role as StaffRole;
    const departments = member.departments?.length ? member.departments : [ROLE_DEPARTMENT[role]];
    const unknown = departments.find((department) => !(DEPARTMENTS as readonly string[]).includes(department));
    if (unknown !== undefined) throw new ValidationError(`department must be one of ${DEPARTMENTS.join(', ')}`);
    const oneTimePassword = oneTimePasswordText();
    const created = await db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('staff_users')
        .select('id')
        .where('practice_id', '=', member.practiceId)
        .where('email', '=', email)
        .executeTakeFirst();
      if (taken) throw new ValidationError('a staff member with this email already exists');
      const row = await trx
        .insertInto('staff_users')
        .values({
          practice_id: member.practiceId,
          email,
          name: member.name.trim(),
          role,
          password_hash: await hash(oneTimePassword, HASH_OPTIONS),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('staff_departments')
        .values(departments.map((department) => ({ staff_id: row.id, department: department as Department })))
        .execute();
      const locations = member.locations ?? (await practiceLocations(trx, member.practiceId));
      if (locations.length > 0) {
        await trx
          .insertInto('staff_locations')
          .values(locations.map((location_id) => ({ staff_id: row.id, location_id })))
          .execute();
      }
      await this.audit.append(trx, { actor, action: 'staff.created', details: { staff: row.id, role } });
      return row;
    });
    return { ...toMember(created), oneTimePassword };
  }

  /** Checks a login's email and password, counting failures and locking after MAX_FAILED_LOGINS in a row. */
  async checkPassword(
    db: Kysely<Database>,
    practiceId: string,
    email: string,
    password: string,
  ): Promise<PasswordCheck> {
    const row = await db
      .selectFrom('staff_users')
      .selectAll()
      .where('practice_id', '=', practiceId)
      .where('email', '=', email.trim().toLowerCase())
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    const matches = await verify(row?.password_hash ?? (await DECOY_HASH), password).catch(() => false);
    if (!row) return { status: 'invalid' };
    const now = this.now();
    if (row.locked_until && row.locked_until > now) return { status: 'locked', until: row.locked_until };
    if (!matches) {
      const failures = row.failed_logins + 1;
      const lockedUntil = failures >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MS) : null;
      await db
        .updateTable('staff_users')
        .set({ failed_logins: lockedUntil ? 0 : failures, locked_until: lockedUntil, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      if (lockedUntil) {
        await this.audit.append(db, { actor: `staff:${row.id}`, action: 'staff.locked_out', details: { failures } });
        return { status: 'locked', until: lockedUntil };
      }
      return { status: 'invalid' };
    }
    await db
      .updateTable('staff_users')
      .set({ failed_logins: 0, locked_until: null })
      .where('id', '=', row.id)
      .execute();
    return { status: 'ok', staff: toMember(row) };
  }

  /** The staff member's own new password (first login, or after a reset): long enough, and not the old one. */
  async changePassword(db: Kysely<Database>, staffId: string, current: string, next: string): Promise<void> {
    if (next.length < MIN_PASSWORD_LENGTH) {
      throw new ValidationError(`the new password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const row = await db.selectFrom('staff_users').select('password_hash').where('id', '=', staffId).executeTakeFirst();
    if (!row || !(await verify(row.password_hash, current))) throw new ValidationError('the current password is wrong');
    if (await verify(row.password_hash, next))
      throw new ValidationError('the new password must differ from the old one');
    await db
      .updateTable('staff_users')
      .set({ password_hash: await hash(next, HASH_OPTIONS), must_change_password: false, updated_at: this.now() })
      .where('id', '=', staffId)
      .execute();
    await this.audit.append(db, { actor: `staff:${staffId}`, action: 'staff.password_changed' });
  }

  /**
   * An admin's reset: a new one-time password (changed at the next login), the lock lifted, every open session ended.
   * With `authenticator`, the TOTP enrolment is cleared too (a lost phone), so the next login enrols again.
   */
  async resetPassword(
    db: Kysely<Database>,
    staffId: string,
    actor: string,
    options: { readonly authenticator?: boolean } = {},
  ): Promise<string> {
    const oneTimePassword = oneTimePasswordText();
    const passwordHash = await hash(oneTimePassword, HASH_OPTIONS);
    await db.transaction().execute(async (trx) => {
      const now = this.now();
      const updated = await trx
        .updateTable('staff_users')
        .set({
          password_hash: passwordHash,
          must_change_password: true,
          failed_logins: 0,
          locked_until: null,
          updated_at: now,
          ...(options.authenticator ? { totp_secret_enc: null, totp_enrolled_at: null, totp_last_step: null } : {}),
        })
        .where('id', '=', staffId)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new ValidationError('no such staff member');
      await endOpenSessions(trx, { staffId }, 'reset', now);
      await this.audit.append(trx, {
        actor,
        action: 'staff.password_reset',
        details: { staff: staffId, authenticator: options.authenticator === true },
      });
    });
    return oneTimePassword;
  }

  /** The id of the practice's account with this email, for commands that name people by email. */
  async idByEmail(db: Kysely<Database>, practiceId: string, email: string): Promise<string> {
    const row = await db
      .selectFrom('staff_users')
      .select('id')
      .where('practice_id', '=', practiceId)
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    if (!row) throw new ValidationError('no staff member has this email');
    return row.id;
  }
}

/** 20 characters from an alphabet without look-alikes (0/O, 1/l/I): about 110 bits, easy to type once. */
function oneTimePasswordText(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return Array.from(crypto.randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('');
}

async function practiceLocations(db: Kysely<Database>, practiceId: string): Promise<string[]> {
  const rows = await db.selectFrom('locations').select('id').where('practice_id', '=', practiceId).execute();
  return rows.map((row) => row.id);
}

function toMember(row: {
  id: string;
  practice_id: string;
  email: string;
  name: string;
  role: StaffRole;
  must_change_password: boolean;
  totp_enrolled_at: Date | null;
}): StaffMember {
  return {
    id: row.id,
    practiceId: row.practice_id,
    email: row.email,
    name: row.name,
    role: row.role,
    mustChangePassword: row.must_change_password,
    totpEnrolled: row.totp_enrolled_at !== null,
  };
}
