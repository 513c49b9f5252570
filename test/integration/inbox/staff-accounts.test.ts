/**
 * Staff accounts on the real PostgreSQL: `concierge staff add` prints a one-time password that logs in once and must
 * be changed; wrong passwords lock the account after five tries; unknown emails answer like wrong passwords; every
 * account change is audited.
 */
import { AuditLog } from '../../../src/audit/audit-log';
import type { DatabaseHandle } from '../../../src/db/open-database';
import { prepareDatabase } from '../../../src/db/prepare-database';
import { LOCKOUT_MS, MAX_FAILED_LOGINS, StaffAccounts } from '../../../src/inbox/staff-accounts';
import { createLogger } from '../../../src/observability/logger';
import { loadKeyRing } from '../../../src/phi/dev-key-ring';
import { findDefaultPracticeId } from '../../../src/practice/practice-repository';
import { runCli } from '../../support/run-cli';
import { createTestEnvironment, type TestEnvironment } from '../../support/test-config';

let environment: TestEnvironment;
let handle: DatabaseHandle;
let practiceId: string;
let clock = new Date('2026-11-23T15:00:00Z');
let accounts: StaffAccounts;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  handle = await prepareDatabase(environment.config, createLogger('silent'));
  practiceId = (await findDefaultPracticeId(handle.db))!;
  accounts = new StaffAccounts(
    new AuditLog(loadKeyRing(environment.config.PHI_KEYS, environment.config.dataDir)),
    () => clock,
  );
}, 60_000);

afterAll(async () => {
  await handle?.close();
  await environment?.cleanup();
});

test('staff add prints a one-time password that logs in, must be changed, and then no longer works', async () => {
  const added = await runCli(
    environment.env,
    'staff',
    'add',
    '--email',
    'Front.Desk@Example.com',
    '--name',
    'Test Frontdesk',
    '--role',
    'front_desk',
  );
  expect(added.code).toBe(0);
  const { id, email, role, oneTimePassword } = JSON.parse(added.stdout) as Record<string, string>;
  expect([email, role]).toEqual(['front.desk@example.com', 'front_desk']);
  expect(oneTimePassword).toMatch(/^[A-Za-z2-9]{20}$/);

  const first = await accounts.checkPassword(handle.db, practiceId, 'front.desk@example.com', oneTimePassword!);
  expect(first).toMatchObject({ status: 'ok', staff: { id, mustChangePassword: true, totpEnrolled: false } });
  await expect(accounts.changePassword(handle.db, id!, oneTimePassword!, 'short')).rejects.toThrow(
    /at least 12 characters/,
  );
  await accounts.changePassword(handle.db, id!, oneTimePassword!, 'a long new passphrase');
  expect(await accounts.checkPassword(handle.db, practiceId, email!, oneTimePassword!)).toEqual({ status: 'invalid' });
  expect(await accounts.checkPassword(handle.db, practiceId, email!, 'a long new passphrase')).toMatchObject({
    status: 'ok',
    staff: { mustChangePassword: false },
  });

  const row = await handle.db.selectFrom('staff_users').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
  expect(row.password_hash).toMatch(/^\$argon2id\$/);
  const departments = await handle.db
    .selectFrom('staff_departments')
    .select('department')
    .where('staff_id', '=', id!)
    .execute();
  expect(departments).toEqual([{ department: 'front_desk' }]);
  const audit = await handle.db
    .selectFrom('audit_events')
    .select('action')
    .where('action', 'like', 'staff.%')
    .execute();
  expect(audit.map((event) => event.action)).toEqual(['staff.created', 'staff.password_changed']);
});

test('bad input is refused with the reason: role, email, a second account with the same email', async () => {
  const badRole = await runCli(
    environment.env,
    'staff',
    'add',
    '--email',
    'x@example.com',
    '--name',
    'X',
    '--role',
    'doctor',
  );
  expect([badRole.code, badRole.stderr.trim()]).toEqual([
    1,
    'role must be one of front_desk, nurse, billing, practice_manager, admin',
  ]);
  const badEmail = await runCli(
    environment.env,
    'staff',
    'add',
    '--email',
    'not-an-email',
    '--name',
    'X',
    '--role',
    'nurse',
  );
  expect(badEmail.stderr.trim()).toBe('email is not an email address');
  await runCli(
    environment.env,
    'staff',
    'add',
    '--email',
    'nurse@example.com',
    '--name',
    'Test Nurse',
    '--role',
    'nurse',
  );
  const again = await runCli(
    environment.env,
    'staff',
    'add',
    '--email',
    'NURSE@example.com',
    '--name',
    'Other',
    '--role',
    'nurse',
  );
  expect(again.stderr.trim()).toBe('a staff member with this email already exists');
});

test('five wrong passwords lock the account for 15 minutes, even for the right one; an admin reset unlocks it', async () => {
  const member = await accounts.add(
    handle.db,
    { practiceId, email: 'billing@example.com', name: 'Test Billing', role: 'billing' },
    'test',
  );
  for (let attempt = 1; attempt < MAX_FAILED_LOGINS; attempt++) {
    expect(await accounts.checkPassword(handle.db, practiceId, member.email, 'wrong password')).toEqual({
      status: 'invalid',
    });
  }
  const locked = await accounts.checkPassword(handle.db, practiceId, member.email, 'wrong password');
  expect(locked).toEqual({ status: 'locked', until: new Date(clock.getTime() + LOCKOUT_MS) });
  expect((await accounts.checkPassword(handle.db, practiceId, member.email, member.oneTimePassword)).status).toBe(
    'locked',
  );

  clock = new Date(clock.getTime() + LOCKOUT_MS + 1);
  expect((await accounts.checkPassword(handle.db, practiceId, member.email, member.oneTimePassword)).status).toBe('ok');

  for (let attempt = 0; attempt < MAX_FAILED_LOGINS; attempt++)
    await accounts.checkPassword(handle.db, practiceId, member.email, 'nope');
  const reset = await accounts.resetPassword(handle.db, member.id, 'staff:admin-test');
  expect(await accounts.checkPassword(handle.db, practiceId, member.email, reset)).toMatchObject({
    status: 'ok',
    staff: { mustChangePassword: true },
  });
});

test('an unknown email answers exactly like a wrong password', async () => {
  expect(await accounts.checkPassword(handle.db, practiceId, 'nobody@example.com', 'anything at all')).toEqual({
    status: 'invalid',
  });
});

test('concierge staff reset-password gives a new one-time password, ends open sessions and, asked to, the authenticator', async () => {
  const member = await accounts.add(
    handle.db,
    { practiceId, email: 'reset.me@example.com', name: 'Test Resetme', role: 'nurse' },
    'test',
  );
  await accounts.changePassword(handle.db, member.id, member.oneTimePassword, 'a long new passphrase');
  await handle.db
    .updateTable('staff_users')
    .set({ totp_secret_enc: 'sealed-secret', totp_enrolled_at: clock })
    .where('id', '=', member.id)
    .execute();
  await handle.db
    .insertInto('staff_sessions')
    .values({
      staff_id: member.id,
      token_hash: 'reset-test',
      step: 'active',
      expires_at: new Date(Date.now() + 3600_000),
    })
    .execute();

  const plain = await runCli(environment.env, 'staff', 'reset-password', '--email', 'Reset.Me@example.com');
  expect(plain.code).toBe(0);
  const { oneTimePassword } = JSON.parse(plain.stdout) as { oneTimePassword: string };
  expect(await accounts.checkPassword(handle.db, practiceId, 'reset.me@example.com', 'a long new passphrase')).toEqual({
    status: 'invalid',
  });
  expect(await accounts.checkPassword(handle.db, practiceId, 'reset.me@example.com', oneTimePassword)).toMatchObject({
    status: 'ok',
    staff: { mustChangePassword: true, totpEnrolled: true },
  });
  const session = await handle.db
    .selectFrom('staff_sessions')
    .select(['ended_at', 'end_reason'])
    .where('token_hash', '=', 'reset-test')
    .executeTakeFirstOrThrow();
  expect(session.end_reason).toBe('reset');

  const lostPhone = await runCli(
    environment.env,
    'staff',
    'reset-password',
    '--email',
    'reset.me@example.com',
    '--authenticator',
  );
  expect(lostPhone.code).toBe(0);
  const { oneTimePassword: second } = JSON.parse(lostPhone.stdout) as { oneTimePassword: string };
  expect(await accounts.checkPassword(handle.db, practiceId, 'reset.me@example.com', second)).toMatchObject({
    status: 'ok',
    staff: { totpEnrolled: false },
  });
  const unknown = await runCli(environment.env, 'staff', 'reset-password', '--email', 'nobody@example.com');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('no staff member has this email');
}, 60_000);
