/**
 * Staff sessions: a random token for an httpOnly cookie, kept only as an HMAC. A session starts at the login step the
 * account needs (new password, TOTP enrolment, or the code) and becomes `active` once every step is done. It ends
 * after the idle time (default 15 minutes) or the absolute lifetime (12 hours), whichever comes first; a new login
 * ends the person's other sessions. The CSRF token is derived from the session token, so forms need no extra state.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { SessionEnd, SessionStep } from '../db/staff-tables';
import type { KeyRing } from '../phi/key-ring';
import type { StaffMember } from './staff-accounts';

export interface StaffSession {
  readonly id: string;
  readonly staffId: string;
  readonly step: SessionStep;
  /** When it ends if nothing happens, for the "you will be signed out" warning a minute before. */
  readonly idleUntil: Date;
}

export interface SessionOptions {
  readonly idleMs?: number;
  readonly lifetimeMs?: number;
  readonly now?: () => Date;
}

export const DEFAULT_IDLE_MS = 15 * 60_000;
export const DEFAULT_LIFETIME_MS = 12 * 3_600_000;

export class StaffSessions {
  private readonly secret: Buffer;
  private readonly idleMs: number;
  private readonly lifetimeMs: number;
  private readonly now: () => Date;

  constructor(keyRing: KeyRing, options: SessionOptions = {}) {
    this.secret = keyRing.deriveSecret('staff-session');
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** After a right password: a session at the first step the account still needs. Returns the cookie's token. */
  async start(db: Kysely<Database>, staff: StaffMember): Promise<{ token: string; session: StaffSession }> {
    const now = this.now();
    await db
      .updateTable('staff_sessions')
      .set({ ended_at: now, end_reason: 'replaced' })
      .where('staff_id', '=', staff.id)
      .where('ended_at', 'is', null)
      .execute();
    const token = crypto.randomBytes(32).toString('base64url');
    const step: SessionStep = staff.mustChangePassword
      ? 'change_password'
      : staff.totpEnrolled
        ? 'verify_totp'
        : 'enroll_totp';
    const row = await db
      .insertInto('staff_sessions')
      .values({
        staff_id: staff.id,
        token_hash: this.hash(token),
        step,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + this.lifetimeMs),
      })
      .returning(['id', 'staff_id', 'step', 'last_seen_at'])
      .executeTakeFirstOrThrow();
    return { token, session: this.toSession(row) };
  }

  /**
   * The live session for a cookie's token, its idle clock restarted unless `extend` is false (live updates and the
   * idle timer's own checks are not activity); undefined (and ended) when it timed out.
   */
  async touch(db: Kysely<Database>, token: string, extend = true): Promise<StaffSession | undefined> {
    const row = await db
      .selectFrom('staff_sessions')
      .select(['id', 'staff_id', 'step', 'last_seen_at', 'expires_at'])
      .where('token_hash', '=', this.hash(token))
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const now = this.now();
    const ended =
      row.expires_at <= now
        ? 'lifetime'
        : now.getTime() - row.last_seen_at.getTime() >= this.idleMs
          ? 'idle'
          : undefined;
    if (ended) {
      await db
        .updateTable('staff_sessions')
        .set({ ended_at: now, end_reason: ended })
        .where('id', '=', row.id)
        .execute();
      return undefined;
    }
    if (!extend) return this.toSession(row);
    await db.updateTable('staff_sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
    return this.toSession({ ...row, last_seen_at: now });
  }

  /** The login's next step is done: on to `next` (`active` once all are). */
  async advance(db: Kysely<Database>, sessionId: string, next: SessionStep): Promise<void> {
    await db.updateTable('staff_sessions').set({ step: next }).where('id', '=', sessionId).execute();
  }

  async end(db: Kysely<Database>, token: string): Promise<void> {
    await db
      .updateTable('staff_sessions')
      .set({ ended_at: this.now(), end_reason: 'signed_out' })
      .where('token_hash', '=', this.hash(token))
      .where('ended_at', 'is', null)
      .execute();
  }

  /** The CSRF token of the session behind `token`; a form's token must equal it. */
  csrfToken(token: string): string {
    return crypto.createHmac('sha256', this.secret).update(`csrf\u0000${token}`).digest('base64url');
  }

  isValidCsrf(token: string, submitted: string | undefined): boolean {
    const expected = Buffer.from(this.csrfToken(token));
    const given = Buffer.from(submitted ?? '');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  private hash(token: string): string {
    return crypto.createHmac('sha256', this.secret).update(token).digest('base64url');
  }

  private toSession(row: { id: string; staff_id: string; step: SessionStep; last_seen_at: Date }): StaffSession {
    return {
      id: row.id,
      staffId: row.staff_id,
      step: row.step,
      idleUntil: new Date(row.last_seen_at.getTime() + this.idleMs),
    };
  }
}

/**
 * Ends the open sessions of one staff member or of a whole practice (an admin's reset, an operator revoking access);
 * returns how many ended. Runs on the caller's transaction, beside its audit event.
 */
export async function endOpenSessions(
  db: Kysely<Database>,
  whose: { staffId: string } | { practiceId: string },
  reason: SessionEnd,
  now: Date,
): Promise<number> {
  const open = db
    .updateTable('staff_sessions')
    .set({ ended_at: now, end_reason: reason })
    .where('ended_at', 'is', null);
  const ended = await (
    'staffId' in whose
      ? open.where('staff_id', '=', whose.staffId)
      : open.where(
          'staff_id',
          'in',
          db.selectFrom('staff_users').select('id').where('practice_id', '=', whose.practiceId),
        )
  ).executeTakeFirst();
  return Number(ended.numUpdatedRows);
}
