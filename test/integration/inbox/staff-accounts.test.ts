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
  const member = await memberWithPassword('reset.me@example.com', 'Test Resetme', 'nurse');
  await handle.db
    .updateTable('staff_users')
    .set({ totp_secret_enc: 'sealed-secret', totp_enrolled_at: clock })
    .where('id', '=', member.id)
    .execute();
  const session = await openSession(member.id, 'reset-test');

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
  expect(await sessionEnd(session)).toBe('reset');

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

/** A member whose first password was changed to 'a long new passphrase'. */
async function memberWithPassword(email: string, name: string, role: string): Promise<{ id: string }> {
  const member = await accounts.add(handle.db, { practiceId, email, name, role }, 'test');
  await accounts.changePassword(handle.db, member.id, member.oneTimePassword, 'a long new passphrase');
  return member;
}

async function lastAuditId(): Promise<number> {
  const last = await handle.db.selectFrom('audit_events').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return Number(last.id);
}

/** An open session of `staffId`, as a login leaves it; returns its token hash. */
async function openSession(staffId: string, tokenHash: string): Promise<string> {
  await handle.db
    .insertInto('staff_sessions')
    .values({ staff_id: staffId, token_hash: tokenHash, step: 'active', expires_at: new Date(Date.now() + 3600_000) })
    .execute();
  return tokenHash;
}

async function sessionEnd(tokenHash: string): Promise<string | null> {
  const session = await handle.db
    .selectFrom('staff_sessions')
    .select('end_reason')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirstOrThrow();
  return session.end_reason;
}

async function auditedActions(since: number): Promise<Array<{ action: string; actor: string }>> {
  return handle.db
    .selectFrom('audit_events')
    .select(['action', 'actor'])
    .where('id', '>', since)
    .where('action', 'like', 'staff.%')
    .orderBy('id')
    .execute();
}

test('concierge staff disable shuts an account out and ends its sessions; enable lets it back; both audited', async () => {
  const member = await memberWithPassword('shut.out@example.com', 'Test Shutout', 'front_desk');
  const colleague = await accounts.add(
    handle.db,
    { practiceId, email: 'stays.in@example.com', name: 'Test Staysin', role: 'front_desk' },
    'test',
  );
  const theirs = await openSession(member.id, 'disable-test-1');
  const colleagues = await openSession(colleague.id, 'disable-test-2');
  const since = await lastAuditId();

  const disabled = await runCli(environment.env, 'staff', 'disable', '--email', 'Shut.Out@example.com');
  expect(disabled.code).toBe(0);
  expect(JSON.parse(disabled.stdout)).toEqual({
    id: member.id,
    email: 'shut.out@example.com',
    disabled: true,
    sessionsEnded: 1,
  });
  expect(await accounts.checkPassword(handle.db, practiceId, 'shut.out@example.com', 'a long new passphrase')).toEqual({
    status: 'invalid',
  });
  expect([await sessionEnd(theirs), await sessionEnd(colleagues)]).toEqual(['revoked', null]);

  const enabled = await runCli(environment.env, 'staff', 'enable', '--email', 'shut.out@example.com');
  expect(enabled.code).toBe(0);
  expect(
    await accounts.checkPassword(handle.db, practiceId, 'shut.out@example.com', 'a long new passphrase'),
  ).toMatchObject({
    status: 'ok',
    staff: { id: member.id },
  });
  expect(await auditedActions(since)).toEqual([
    { action: 'staff.disabled', actor: 'cli' },
    { action: 'staff.enabled', actor: 'cli' },
  ]);

  const unknown = await runCli(environment.env, 'staff', 'disable', '--email', 'nobody@example.com');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('no staff member has this email');
}, 120_000);

test('concierge staff sign-out-everyone ends every open session of the practice, audited', async () => {
  const member = await accounts.add(
    handle.db,
    { practiceId, email: 'everyone.out@example.com', name: 'Test Everyone', role: 'billing' },
    'test',
  );
  const first = await openSession(member.id, 'everyone-test-1');
  const second = await openSession(member.id, 'everyone-test-2');
  const stillOpen = await handle.db
    .selectFrom('staff_sessions')
    .innerJoin('staff_users', 'staff_users.id', 'staff_sessions.staff_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('staff_users.practice_id', '=', practiceId)
    .where('staff_sessions.ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  const since = await lastAuditId();

  const result = await runCli(environment.env, 'staff', 'sign-out-everyone');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({ sessionsEnded: Number(stillOpen.n) });
  expect([await sessionEnd(first), await sessionEnd(second)]).toEqual(['revoked', 'revoked']);
  expect(await auditedActions(since)).toEqual([{ action: 'staff.sessions_revoked', actor: 'cli' }]);
}, 120_000);
