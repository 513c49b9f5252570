/**
 * The hash-chained audit trail on both databases: appended events verify; editing a row, deleting one or moving one
 * breaks the chain at a row `concierge audit verify` names (exit 1); a key other than the practice's cannot verify
 * it. Consent changes (STOP) are audited without PHI.
 */
import { AuditLog } from '../../src/audit/audit-log';
import { openDatabase } from '../../src/db/open-database';
import { migrateToLatest } from '../../src/db/migrate';
import { KeyRing } from '../../src/phi/key-ring';
import { TEST_PHI_KEYS, type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { runCli } from '../support/run-cli';
import { startTestApp, writeInAsPatient } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const environments: TestEnvironment[] = [];
afterAll(async () => {
  for (const environment of environments) await environment.cleanup();
});

async function openChain(kind: 'postgres' | 'pglite') {
  const environment = await createTestEnvironment(kind);
  environments.push(environment);
  const handle = await openDatabase(environment.config);
  await migrateToLatest(handle.db, handle.schema);
  return { environment, handle, audit: new AuditLog(new KeyRing(TEST_PHI_KEYS)) };
}

const event = (n: number) => ({ actor: 'system', action: 'test.event', patientRef: `contact:${n}`, details: { n, outcome: 'ok' } });

test.each(['postgres', 'pglite'] as const)('%s: an intact chain verifies; an edit breaks it at that row', async (kind) => {
  const { handle, audit } = await openChain(kind);
  try {
    for (let n = 1; n <= 4; n += 1) await handle.db.transaction().execute((trx) => audit.append(trx, event(n)));
    expect(await audit.verify(handle.db)).toEqual({ ok: true, events: 4 });
    const [, second] = await handle.db.selectFrom('audit_events').select('id').orderBy('id').execute();
    await handle.db.updateTable('audit_events').set({ details: JSON.stringify({ n: 2, outcome: 'changed' }) }).where('id', '=', second!.id).execute();
    expect(await audit.verify(handle.db)).toMatchObject({ ok: false, firstBreak: { id: second!.id, problem: 'edited' } });
  } finally {
    await handle.close();
  }
});

test('postgres: a deleted row breaks the chain at the row after it; another key verifies nothing', async () => {
  const { handle, audit } = await openChain('postgres');
  try {
    for (let n = 1; n <= 3; n += 1) await handle.db.transaction().execute((trx) => audit.append(trx, event(n)));
    const ids = (await handle.db.selectFrom('audit_events').select('id').orderBy('id').execute()).map((row) => row.id);
    const otherKey = new AuditLog(new KeyRing(`other:${Buffer.alloc(32, 9).toString('base64')}`));
    expect(await otherKey.verify(handle.db)).toMatchObject({ ok: false, firstBreak: { id: ids[0], problem: 'edited' } });
    await handle.db.deleteFrom('audit_events').where('id', '=', ids[1]!).execute();
    expect(await audit.verify(handle.db)).toMatchObject({ ok: false, firstBreak: { id: ids[2], problem: 'unlinked' } });
  } finally {
    await handle.close();
  }
});

test('concurrent appends keep one line', async () => {
  const { handle, audit } = await openChain('postgres');
  try {
    await Promise.all(Array.from({ length: 20 }, (_, n) => handle.db.transaction().execute((trx) => audit.append(trx, event(n)))));
    expect(await audit.verify(handle.db)).toEqual({ ok: true, events: 20 });
  } finally {
    await handle.close();
  }
});

test('STOP is audited without PHI; concierge audit verify passes, then names the row an edit broke', async () => {
  const environment = await createTestEnvironment('postgres');
  environments.push(environment);
  const { app, base } = await startTestApp(environment.config);
  try {
    expect(await writeInAsPatient(base, '+15555550177', 'STOP')).toBe(303);
    const [row] = await waitFor(async () => {
      const rows = await app.database.db.selectFrom('audit_events').selectAll().execute();
      return rows.length > 0 ? rows : undefined;
    }, 15_000);
    expect(row).toMatchObject({ action: 'consent.revoked', purpose: 'messages', details: { channel: 'sms', source: 'stop_keyword' } });
    expect(row!.patient_ref).toMatch(/^contact:[0-9a-f-]{36}$/);
    expect(JSON.stringify(row)).not.toContain('5555550177');

    const intact = await runCli(environment.env, 'audit', 'verify');
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toEqual({ ok: true, events: 1 });
    await app.database.db.updateTable('audit_events').set({ actor: 'staff:someone-else' }).where('id', '=', row!.id).execute();
    const broken = await runCli(environment.env, 'audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`audit chain broken at event ${row!.id}: the row was changed`);
  } finally {
    await app.stop();
  }
}, 120_000);
