/**
 * The embedded default: PGlite in DATA_DIR, migrated and seeded like a server database, surviving a reopen (and
 * refusing a second opener while open), with the same dialog storage (hashed keys, encrypted values).
 */
import { Kysely } from 'kysely';
import { PostgresDialogStorage } from '../../src/conversation/postgres-dialog-storage';
import { migrateToLatest } from '../../src/db/migrate';
import { openDatabase } from '../../src/db/open-database';
import type { Database } from '../../src/db/schema';
import { runInTransactionScope } from '../../src/db/transaction-scope';
import { createLogger } from '../../src/observability/logger';
import { prepareDatabase } from '../../src/db/prepare-database';
import { KeyRing } from '../../src/phi/key-ring';
import { loadPracticeContent } from '../../src/practice/practice-repository';
import { DEMO_PRACTICE_ID } from '../../src/practice/demo-practice';
import { TEST_PHI_KEYS, type TestEnvironment, createTestEnvironment } from '../support/test-config';

let pglite: TestEnvironment;
let postgres: TestEnvironment;

beforeAll(async () => {
  pglite = await createTestEnvironment('pglite');
  postgres = await createTestEnvironment('postgres');
});
afterAll(async () => {
  await pglite.cleanup();
  await postgres.cleanup();
});

test.each(['pglite', 'postgres'] as const)(
  '%s: migrates, seeds the demo practice once, and keeps data across a reopen',
  async (kind) => {
    const environment = kind === 'pglite' ? pglite : postgres;
    const logger = createLogger('silent');
    const first = await prepareDatabase(environment.config, logger);
    expect(first.kind).toBe(kind);
    const practice = await loadPracticeContent(first.db, DEMO_PRACTICE_ID);
    expect(practice.name).toBe('Riverside Family Medicine');
    expect(practice.locations[0]?.details.hours.saturday).toEqual([{ opens: '09:00', closes: '12:00' }]);
    const flows = await first.db.selectFrom('flow_versions').select('status').execute();
    expect(flows.length).toBeGreaterThanOrEqual(15);
    if (kind === 'pglite') {
      // PGlite belongs to one process: a second opener (a CLI command while `npm start` runs) is told why.
      await expect(openDatabase(environment.config)).rejects.toThrow(
        /in use by another process \(is `npm start` running\?\): stop it first, or use DATABASE_URL/,
      );
    }
    await first.close();

    const second = await prepareDatabase(environment.config, logger);
    expect(await migrateToLatest(second.db, second.schema)).toEqual([]);
    expect(await second.db.selectFrom('flow_versions').select('id').execute()).toHaveLength(flows.length);
    await second.close();
  },
);

test('dialog storage hashes keys, encrypts values and joins the current transaction', async () => {
  const handle = await openDatabase(pglite.config);
  await migrateToLatest(handle.db, handle.schema);
  const storage = new PostgresDialogStorage(handle.db, new KeyRing(TEST_PHI_KEYS));
  const key = 'webchat/conversations/abc-contact/ConversationState';
  await storage.write({ [key]: { dialogState: { step: 2, answer: 'Test Patient' } } });
  expect(await storage.read([key, 'missing'])).toEqual({ [key]: { dialogState: { step: 2, answer: 'Test Patient' } } });
  const rows = await handle.db.selectFrom('dialog_state').selectAll().execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.key_hash).not.toContain('abc');
  expect(rows[0]!.value_enc).not.toContain('Test Patient');

  // A write inside a rolled-back turn leaves no trace.
  await handle.db
    .transaction()
    .execute((trx) =>
      runInTransactionScope(trx, async () => {
        await storage.write({ [key]: { dialogState: { step: 3 } } });
        throw new Error('turn failed');
      }),
    )
    .catch(() => undefined);
  expect(await storage.read([key])).toEqual({ [key]: { dialogState: { step: 2, answer: 'Test Patient' } } });
  await storage.delete([key]);
  expect(await storage.read([key])).toEqual({});
  await handle.close();
});

test('a database that cannot be reached fails with a clear error', async () => {
  const handle = await openDatabase({ ...postgres.config, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
  await expect(migrateToLatest(handle.db as Kysely<Database>, 'public')).rejects.toThrow();
  await handle.close();
});
