/**
 * One-time codes behind a secure link. Each date-of-birth attempt creates a challenge: a 6-digit code from
 * crypto.randomInt, stored as an HMAC, valid 5 minutes; 5 wrong codes lock it for 15 minutes, and while any challenge
 * of a contact (or patient) is locked, none of its links can start a new one. When the date of birth matched nobody
 * the challenge is a decoy (no patient, no code sent): it is created, checked and locked exactly like a real one but
 * can never succeed, so a visitor cannot tell the two apart.
 */
import crypto from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { CodeDelivery, OtpChallengesTable, SecureLinkTables } from '../db/secure-link-tables';

export type { CodeDelivery } from '../db/secure-link-tables';
import type { KeyRing } from '../phi/key-ring';
import { equalInConstantTime } from '../phi/constant-time';

export const OTP_CODE_TTL_MS = 5 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
export const OTP_LOCK_MS = 15 * 60_000;
const CODE_DIGITS = 6;

export interface OtpChallengesOptions {
  readonly keyRing: KeyRing;
  readonly now?: () => Date;
}

export interface OtpChallenge {
  readonly id: number;
  readonly linkId: string;
  readonly contactId: string;
  /** Null for a decoy. */
  readonly patientId: string | null;
  readonly codeHash: string;
  readonly delivery: CodeDelivery;
  readonly attempts: number;
  readonly expiresAt: Date;
  readonly lockedUntil: Date | null;
  readonly verifiedAt: Date | null;
}

export interface NewChallenge {
  readonly practiceId: string;
  readonly linkId: string;
  readonly contactId: string;
  /** The patient who gets the code; null makes a decoy. */
  readonly patientId: string | null;
  readonly delivery: CodeDelivery;
}

export type CodeCheck =
  | { readonly outcome: 'verified'; readonly patientId: string }
  | { readonly outcome: 'wrong'; readonly attemptsLeft: number }
  | { readonly outcome: 'locked'; readonly lockedUntil: Date };

export class OtpChallenges {
  private readonly codeKey: Buffer;
  private readonly now: () => Date;

  constructor(options: OtpChallengesOptions) {
    this.codeKey = options.keyRing.deriveSecret('otp-code');
    this.now = options.now ?? (() => new Date());
  }

  /** Creates a challenge and returns its code (which the caller sends only when the challenge has a patient). */
  async create(db: Kysely<Database>, input: NewChallenge): Promise<{ challenge: OtpChallenge; code: string }> {
    const code = crypto
      .randomInt(0, 10 ** CODE_DIGITS)
      .toString()
      .padStart(CODE_DIGITS, '0');
    const now = this.now();
    const row = await db
      .withTables<SecureLinkTables>()
      .insertInto('otp_challenges')
      .values({
        practice_id: input.practiceId,
        link_id: input.linkId,
        contact_id: input.contactId,
        patient_id: input.patientId,
        code_hash: this.codeHash(input.linkId, code),
        delivery: input.delivery,
        expires_at: new Date(now.getTime() + OTP_CODE_TTL_MS),
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { challenge: toChallenge(row), code };
  }

  /** The link's latest challenge (only the latest one counts). */
  async latestForLink(db: Kysely<Database>, linkId: string): Promise<OtpChallenge | undefined> {
    const row = await db
      .withTables<SecureLinkTables>()
      .selectFrom('otp_challenges')
      .selectAll()
      .where('link_id', '=', linkId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toChallenge(row);
  }

  /** How many challenges (date-of-birth attempts) a link has had. */
  async countForLink(db: Kysely<Database>, linkId: string): Promise<number> {
    const row = await db
      .withTables<SecureLinkTables>()
      .selectFrom('otp_challenges')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('link_id', '=', linkId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Still accepting codes: not expired, locked or used. */
  isOpen(challenge: OtpChallenge): boolean {
    return (
      challenge.verifiedAt === null &&
      challenge.lockedUntil === null &&
      challenge.expiresAt.getTime() > this.now().getTime()
    );
  }

  /** When the lock on this contact (or patient) ends, if one is in force. */
  async lockedUntil(
    db: Kysely<Database>,
    subject: { contactId: string; patientId: string | null },
  ): Promise<Date | undefined> {
    const row = await db
      .withTables<SecureLinkTables>()
      .selectFrom('otp_challenges')
      .select((eb) => eb.fn.max('locked_until').as('until'))
      .where('locked_until', '>', this.now())
      .where((eb) =>
        subject.patientId
          ? eb.or([eb('contact_id', '=', subject.contactId), eb('patient_id', '=', subject.patientId)])
          : eb('contact_id', '=', subject.contactId),
      )
      .executeTakeFirst();
    return row?.until ? new Date(row.until) : undefined;
  }

  /**
   * Checks a 6-digit code against an open challenge. A wrong code counts an attempt (atomically, so parallel guesses
   * cannot exceed the limit); the last allowed wrong code locks the challenge. A decoy never verifies.
   */
  async check(db: Kysely<Database>, challenge: OtpChallenge, code: string): Promise<CodeCheck> {
    const matches = equalInConstantTime(this.codeHash(challenge.linkId, code), challenge.codeHash);
    if (matches && challenge.patientId !== null && (await this.markVerified(db, challenge))) {
      return { outcome: 'verified', patientId: challenge.patientId };
    }
    return this.countWrongAttempt(db, challenge);
  }

  private async markVerified(db: Kysely<Database>, challenge: OtpChallenge): Promise<boolean> {
    const now = this.now();
    const updated = await db
      .withTables<SecureLinkTables>()
      .updateTable('otp_challenges')
      .set({ verified_at: now })
      .where('id', '=', challenge.id)
      .where('verified_at', 'is', null)
      .where('locked_until', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  private async countWrongAttempt(db: Kysely<Database>, challenge: OtpChallenge): Promise<CodeCheck> {
    const tables = db.withTables<SecureLinkTables>();
    const lockUntil = new Date(this.now().getTime() + OTP_LOCK_MS);
    const row = await tables
      .updateTable('otp_challenges')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        locked_until: sql<Date | null>`case when attempts + 1 >= ${OTP_MAX_ATTEMPTS} then ${lockUntil}::timestamptz end`,
      }))
      .where('id', '=', challenge.id)
      .where('verified_at', 'is', null)
      .where('locked_until', 'is', null)
      .returning(['attempts', 'locked_until'])
      .executeTakeFirst();
    if (row?.locked_until) return { outcome: 'locked', lockedUntil: row.locked_until };
    if (row) return { outcome: 'wrong', attemptsLeft: OTP_MAX_ATTEMPTS - row.attempts };
    // A concurrent request locked (or used) the challenge first.
    const current = await tables
      .selectFrom('otp_challenges')
      .select('locked_until')
      .where('id', '=', challenge.id)
      .executeTakeFirstOrThrow();
    return current.locked_until
      ? { outcome: 'locked', lockedUntil: current.locked_until }
      : { outcome: 'wrong', attemptsLeft: 0 };
  }

  private codeHash(linkId: string, code: string): string {
    return crypto.createHmac('sha256', this.codeKey).update(`${linkId}\u0000${code}`).digest('hex');
  }
}

function toChallenge(row: Selectable<OtpChallengesTable>): OtpChallenge {
  return {
    id: row.id,
    linkId: row.link_id,
    contactId: row.contact_id,
    patientId: row.patient_id,
    codeHash: row.code_hash,
    delivery: row.delivery,
    attempts: row.attempts,
    expiresAt: row.expires_at,
    lockedUntil: row.locked_until,
    verifiedAt: row.verified_at,
  };
}
