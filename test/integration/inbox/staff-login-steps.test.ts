/**
 * The second factor and sessions of staff logins, on the real PostgreSQL with an injected clock: TOTP enrolment counts
 * only after a right first code, a code works once, sessions start at the step the account needs, end after 15 idle
 * minutes or their lifetime, and a new login replaces the old session.
 */
import { Secret, TOTP } from 'otpauth';
import { AuditLog } from '../../../src/audit/audit-log';
import type { DatabaseHandle } from '../../../src/db/open-database';
import { prepareDatabase } from '../../../src/db/prepare-database';
import { StaffAccounts } from '../../../src/inbox/staff-accounts';
import { DEFAULT_IDLE_MS, StaffSessions } from '../../../src/inbox/staff-sessions';
import { StaffTotp } from '../../../src/inbox/staff-totp';
import { createLogger } from '../../../src/observability/logger';
import { loadKeyRing } from '../../../src/phi/dev-key-ring';
import { findDefaultPracticeId } from '../../../src/practice/practice-repository';
import { createTestEnvironment, type TestEnvironment } from '../../support/test-config';

let environment: TestEnvironment;
let handle: DatabaseHandle;
let practiceId: string;
let clock = new Date('2026-11-23T15:00:00Z');
const now = () => clock;
let accounts: StaffAccounts;
let totp: StaffTotp;
let sessions: StaffSessions;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  handle = await prepareDatabase(environment.config, createLogger('silent'));
  practiceId = (await findDefaultPracticeId(handle.db))!;
  const keyRing = loadKeyRing(environment.config.PHI_KEYS, environment.config.dataDir);
  const audit = new AuditLog(keyRing);
  accounts = new StaffAccounts(audit, now);
  totp = new StaffTotp(keyRing, audit, 'Riverside Family Medicine', now);
  sessions = new StaffSessions(keyRing, { now });
}, 60_000);

afterAll(async () => {
  await handle?.close();
  await environment?.cleanup();
});

/** What the staff member's authenticator app shows at the test clock. */
function appCode(manualKey: string, at = clock): string {
  return new TOTP({ secret: Secret.fromBase32(manualKey), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: at.getTime(),
  });
}

test('a login walks new password → TOTP enrolment → code, then is active; the next login only needs the code', async () => {
  const member = await accounts.add(
    handle.db,
    { practiceId, email: 'desk1@example.com', name: 'Test Desk', role: 'front_desk' },
    'test',
  );
  const first = await sessions.start(handle.db, member);
  expect(first.session.step).toBe('change_password');
  await accounts.changePassword(handle.db, member.id, member.oneTimePassword, 'a long new passphrase');

  const enrolment = await totp.begin(handle.db, member.id, member.email);
  expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/Riverside%20Family%20Medicine:desk1%40example\.com\?/);
  expect(enrolment.uri).toContain(`secret=${enrolment.manualKey}`);
  expect(await totp.verify(handle.db, member.id, appCode(enrolment.manualKey))).toBe(false); // not enrolled yet
  expect(await totp.confirm(handle.db, member.id, '000000')).toBe(false);
  expect(await totp.confirm(handle.db, member.id, appCode(enrolment.manualKey))).toBe(true);

  clock = new Date(clock.getTime() + 60_000);
  const checked = await accounts.checkPassword(handle.db, practiceId, member.email, 'a long new passphrase');
  expect(checked).toMatchObject({ status: 'ok', staff: { mustChangePassword: false, totpEnrolled: true } });
  const second = await sessions.start(handle.db, checked.status === 'ok' ? checked.staff : member);
  expect(second.session.step).toBe('verify_totp');
  expect(await sessions.touch(handle.db, first.token)).toBeUndefined(); // replaced by the new login
  const code = appCode(enrolment.manualKey);
  expect(await totp.verify(handle.db, member.id, code)).toBe(true);
  expect(await totp.verify(handle.db, member.id, code)).toBe(false); // a code works once
  await sessions.advance(handle.db, second.session.id, 'active');
  expect(await sessions.touch(handle.db, second.token)).toMatchObject({ step: 'active', staffId: member.id });
  const secret = await handle.db
    .selectFrom('staff_users')
    .select('totp_secret_enc')
    .where('id', '=', member.id)
    .executeTakeFirstOrThrow();
  expect(secret.totp_secret_enc).not.toContain(enrolment.manualKey);
});

test('a session ends after 15 idle minutes, not while it is used; the CSRF token belongs to its session', async () => {
  const member = await accounts.add(
    handle.db,
    { practiceId, email: 'desk2@example.com', name: 'Test Desk Two', role: 'front_desk' },
    'test',
  );
  const { token, session } = await sessions.start(handle.db, member);
  expect(session.idleUntil).toEqual(new Date(clock.getTime() + DEFAULT_IDLE_MS));
  clock = new Date(clock.getTime() + DEFAULT_IDLE_MS - 1_000);
  expect(await sessions.touch(handle.db, token)).toBeDefined();
  clock = new Date(clock.getTime() + DEFAULT_IDLE_MS - 1_000);
  expect(await sessions.touch(handle.db, token)).toBeDefined();
  clock = new Date(clock.getTime() + DEFAULT_IDLE_MS);
  expect(await sessions.touch(handle.db, token)).toBeUndefined();
  const ended = await handle.db
    .selectFrom('staff_sessions')
    .select('end_reason')
    .where('id', '=', session.id)
    .executeTakeFirstOrThrow();
  expect(ended.end_reason).toBe('idle');

  const other = await sessions.start(handle.db, member);
  expect(sessions.isValidCsrf(other.token, sessions.csrfToken(other.token))).toBe(true);
  expect(sessions.isValidCsrf(other.token, sessions.csrfToken(token))).toBe(false);
  expect(sessions.isValidCsrf(other.token, undefined)).toBe(false);
  await sessions.end(handle.db, other.token);
  expect(await sessions.touch(handle.db, other.token)).toBeUndefined();
});

test('a session in use still ends at its absolute lifetime', async () => {
  const short = new StaffSessions(loadKeyRing(environment.config.PHI_KEYS, environment.config.dataDir), {
    now,
    lifetimeMs: 30 * 60_000,
  });
  const member = await accounts.add(
    handle.db,
    { practiceId, email: 'desk3@example.com', name: 'Test Desk Three', role: 'front_desk' },
    'test',
  );
  const { token } = await short.start(handle.db, member);
  for (let minutes = 10; minutes < 30; minutes += 10) {
    clock = new Date(clock.getTime() + 10 * 60_000);
    expect(await short.touch(handle.db, token)).toBeDefined();
  }
  clock = new Date(clock.getTime() + 10 * 60_000);
  expect(await short.touch(handle.db, token)).toBeUndefined();
});
