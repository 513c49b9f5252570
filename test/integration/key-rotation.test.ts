/**
 * `concierge keys rotate` (run as a user runs it) after a new key is put first in PHI_KEYS: every encrypted column
 * is re-sealed under the new key, the product keeps finding its contacts (blind indexes) and its dialog state, the
 * rotation is audited, and the audit chain still verifies.
 */
import { sql } from 'kysely';
import type { App } from '../../src/app';
import { ENCRYPTED_COLUMNS, SEALED_FOR_GOOD } from '../../src/phi/key-rotation';
import { loadConfig } from '../../src/config';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';
import { runCli } from '../support/run-cli';
import { startTestApp, writeInAsPatient } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const OLD_KEYS = `old1:${Buffer.alloc(32, 1).toString('base64')}`;
const NEW_KEYS = `new1:${Buffer.alloc(32, 2).toString('base64')},${OLD_KEYS}`;
const PHONE = '+15555550188';

let environment: TestEnvironment;
beforeAll(async () => {
  environment = await createTestEnvironment('postgres', { PHI_KEYS: OLD_KEYS });
});
afterAll(async () => {
  await environment?.cleanup();
});

async function withApp(phiKeys: string, work: (app: App, base: string) => Promise<void>): Promise<void> {
  const { app, base } = await startTestApp(loadConfig({ ...environment.env, PHI_KEYS: phiKeys }));
  try {
    await work(app, base);
  } finally {
    await app.stop();
  }
}

async function textAndWait(app: App, base: string, text: string, replies: number): Promise<void> {
  expect(await writeInAsPatient(base, PHONE, text)).toBe(303);
  await waitFor(
    async () => {
      const rows = await app.database.db
        .selectFrom('outbound_messages')
        .select('status')
        .where('status', '=', 'delivered')
        .execute();
      return rows.length >= replies;
    },
    15_000,
    `${replies} replies`,
  );
}

const encryptedValues = async (app: App) =>
  [
    ...(await app.database.db.selectFrom('contacts').select('address_enc as value').execute()),
    ...(await app.database.db.selectFrom('inbound_messages').select('body_enc as value').execute()),
    ...(await app.database.db.selectFrom('outbound_messages').select('body_enc as value').execute()),
    ...(await app.database.db.selectFrom('dialog_state').select('value_enc as value').execute()),
  ].map((row) => String(row.value));

test('rotation re-seals everything under the new key; contacts, conversations and the audit chain carry on', async () => {
  await withApp(OLD_KEYS, async (app, base) => {
    await textAndWait(app, base, 'what are your hours?', 1);
    await textAndWait(app, base, 'STOP', 2); // an audited consent change, under the old ring
    expect((await encryptedValues(app)).every((value) => value.startsWith('v1:old1:'))).toBe(true);
  });

  const rotated = await runCli({ ...environment.env, PHI_KEYS: NEW_KEYS }, 'keys', 'rotate', '--batch', '2');
  expect(rotated.stderr).toBe('');
  expect(rotated.code).toBe(0);
  const report = JSON.parse(rotated.stdout) as Record<string, { resealed: number }>;
  expect(report['contacts.address_enc']!.resealed).toBe(1);
  expect(report['inbound_messages.body_enc']!.resealed).toBe(2);

  await withApp(NEW_KEYS, async (app, base) => {
    const values = await encryptedValues(app);
    expect(values.length).toBeGreaterThan(4);
    expect(values.every((value) => value.startsWith('v1:new1:'))).toBe(true);
    for (const value of values) expect(() => app.keyRing.decrypt(value)).not.toThrow();
    // The same number is the same contact (blind index unchanged), and its conversation goes on.
    await textAndWait(app, base, 'START', 3);
    expect(await app.database.db.selectFrom('contacts').select('id').execute()).toHaveLength(1);
    const actions = (await app.database.db.selectFrom('audit_events').select('action').orderBy('id').execute()).map(
      (row) => row.action,
    );
    expect(actions).toEqual(['consent.revoked', 'keys.rotated', 'consent.granted']);
    expect(await app.audit.verify(app.database.db)).toEqual({ ok: true, events: 3 });
  });
}, 90_000);

test('rotation covers every encrypted column of the schema (all but the append-only consent evidence)', async () => {
  await withApp(NEW_KEYS, async (app) => {
    const { rows } = await sql<{ table: string; column: string }>`
      select table_name as table, column_name as column from information_schema.columns
      where table_schema = ${app.database.schema} and column_name like '%\_enc'`.execute(app.database.db);
    const inSchema = rows.map((row) => `${row.table}.${row.column}`).sort();
    const covered = [...ENCRYPTED_COLUMNS, ...SEALED_FOR_GOOD].map((entry) => `${entry.table}.${entry.column}`).sort();
    expect(inSchema.length).toBeGreaterThan(10);
    expect(covered).toEqual(inSchema);
  });
});
