/**
 * The staff second factor: RFC 6238 TOTP (30 s, 6 digits, SHA-1, what authenticator apps expect) with `otpauth`.
 * Enrolment stores a sealed secret and shows it as an otpauth:// URI (for a QR code) and as a manual key; it counts
 * only once a first code proves the app has it. A code is accepted once: replaying it within its 30 s fails.
 */
import { Secret, TOTP } from 'otpauth';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { KeyRing } from '../phi/key-ring';

export interface TotpEnrolment {
  /** otpauth://totp/… for the QR code. */
  readonly uri: string;
  /** The same secret in base32, for typing into the app. */
  readonly manualKey: string;
}

const PERIOD_SECONDS = 30;
/** One step either side: a phone clock 30 s off still works. */
const WINDOW = 1;

export class StaffTotp {
  constructor(
    private readonly keyRing: KeyRing,
    private readonly audit: AuditLog,
    private readonly issuer: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new secret for the staff member (replacing one not yet confirmed). */
  async begin(db: Kysely<Database>, staffId: string, email: string): Promise<TotpEnrolment> {
    const secret = new Secret({ size: 20 });
    await db
      .updateTable('staff_users')
      .set({ totp_secret_enc: this.keyRing.encrypt(secret.base32), totp_enrolled_at: null, totp_last_step: null })
      .where('id', '=', staffId)
      .execute();
    return { uri: this.totp(secret, email).toString(), manualKey: secret.base32 };
  }

  /** The enrolment under way (a reload or a wrong code shows the same secret), or a new one. */
  async current(db: Kysely<Database>, staffId: string, email: string): Promise<TotpEnrolment> {
    const row = await db
      .selectFrom('staff_users')
      .select(['totp_secret_enc', 'totp_enrolled_at'])
      .where('id', '=', staffId)
      .executeTakeFirst();
    if (!row?.totp_secret_enc || row.totp_enrolled_at) return this.begin(db, staffId, email);
    const secret = Secret.fromBase32(this.keyRing.decrypt(row.totp_secret_enc));
    return { uri: this.totp(secret, email).toString(), manualKey: secret.base32 };
  }

  /** The first code from the app: enrolment is complete only if it is right. */
  async confirm(db: Kysely<Database>, staffId: string, code: string): Promise<boolean> {
    if (!(await this.accept(db, staffId, code))) return false;
    await db.updateTable('staff_users').set({ totp_enrolled_at: this.now() }).where('id', '=', staffId).execute();
    await this.audit.append(db, { actor: `staff:${staffId}`, action: 'staff.totp_enrolled' });
    return true;
  }

  /** A login's code for an enrolled account. */
  async verify(db: Kysely<Database>, staffId: string, code: string): Promise<boolean> {
    const row = await db
      .selectFrom('staff_users')
      .select('totp_enrolled_at')
      .where('id', '=', staffId)
      .executeTakeFirst();
    return row?.totp_enrolled_at != null && this.accept(db, staffId, code);
  }

  /** Right code, and a later time step than the last one accepted (so never the same code twice). */
  private async accept(db: Kysely<Database>, staffId: string, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code.trim())) return false;
    const row = await db
      .selectFrom('staff_users')
      .select(['totp_secret_enc', 'totp_last_step', 'email'])
      .where('id', '=', staffId)
      .executeTakeFirst();
    if (!row?.totp_secret_enc) return false;
    const totp = this.totp(Secret.fromBase32(this.keyRing.decrypt(row.totp_secret_enc)), row.email);
    const timestamp = this.now().getTime();
    const delta = totp.validate({ token: code.trim(), timestamp, window: WINDOW });
    if (delta === null) return false;
    const step = Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta;
    // The update succeeds only for a step later than the last: two requests racing with one code, one wins.
    const updated = await db
      .updateTable('staff_users')
      .set({ totp_last_step: step })
      .where('id', '=', staffId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .executeTakeFirst();
    return updated.numUpdatedRows === 1n;
  }

  private totp(secret: Secret, email: string): TOTP {
    return new TOTP({
      issuer: this.issuer,
      label: email,
      algorithm: 'SHA1',
      digits: 6,
      period: PERIOD_SECONDS,
      secret,
    });
  }
}
