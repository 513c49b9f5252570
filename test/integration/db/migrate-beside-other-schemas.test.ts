/**
 * Migrations on a PostgreSQL server shared with other schemas that come and go (another deployment, other test
 * files cleaning up): checking our schema's migrations must not trip over a schema dropped at that moment, which
 * Kysely's own introspector did ("schema … does not exist", seen in CI as a failed start-up and a failed CLI run).
 */
import crypto from 'node:crypto';
import { Client } from 'pg';
import { migrateToLatest } from '../../../src/db/migrate';
import { openDatabase } from '../../../src/db/open-database';
import { TEST_DATABASE_URL, type TestEnvironment, createTestEnvironment } from '../../support/test-config';

let environment: TestEnvironment;
beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
});
afterAll(async () => {
  await environment?.cleanup();
});

/** Creates and drops schemas with a table each, as fast as it can, until `stop()`. */
function churnSchemas(): { stop: () => Promise<number> } {
  let running = true;
  let dropped = 0;
  const done = (async () => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      while (running) {
        const name = `churn_${crypto.randomBytes(5).toString('hex')}`;
        await client.query(`create schema ${name}; create table ${name}.t (id serial primary key)`);
        await client.query(`drop schema ${name} cascade`);
        dropped += 1;
      }
    } finally {
      await client.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return dropped;
    },
  };
}

test('migrating (and finding nothing to do) while other schemas are dropped never fails', async () => {
  const database = await openDatabase(environment.config);
  const churns = [churnSchemas(), churnSchemas()];
  const failures: string[] = [];
  try {
    expect((await migrateToLatest(database.db, database.schema)).length).toBeGreaterThan(10);
    for (let round = 0; round < 40; round += 1) {
      await migrateToLatest(database.db, database.schema).catch((error: Error) =>
        failures.push(String((error.cause as Error | undefined)?.message ?? error.message)),
      );
    }
  } finally {
    const dropped = await Promise.all(churns.map((churn) => churn.stop()));
    await database.close();
    expect(dropped.every((count) => count > 0)).toBe(true); // the churn really ran alongside
  }
  expect(failures).toEqual([]);
});
