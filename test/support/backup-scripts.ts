/**
 * For the backup and restore tests: infra/scripts/*.sh run as an operator runs them (bash, only the given environment
 * plus PATH and HOME), whole databases created and dropped on the machine's PostgreSQL, and a snapshot of every row of
 * a database to compare before and after.
 */
import path from 'node:path';
import { Client } from 'pg';
import { type CliResult, runCommand } from './run-cli';
import { TEST_DATABASE_URL } from './test-config';

const SCRIPTS = path.resolve(__dirname, '..', '..', 'infra', 'scripts');

export function runBackupScript(
  script: 'backup.sh' | 'restore.sh',
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<CliResult> {
  return runCommand('bash', [path.join(SCRIPTS, script), ...args], env);
}

/** The URL of another database on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `name` must be a plain identifier (the tests make it from random hex). */
export async function createDatabase(name: string): Promise<void> {
  await withClient(TEST_DATABASE_URL, (client) => client.query(`create database "${name}"`));
}

/** Drops the database even while sessions are connected to it. */
export async function dropDatabase(name: string): Promise<void> {
  await withClient(TEST_DATABASE_URL, (client) => client.query(`drop database if exists "${name}" with (force)`));
}

/** Every row of every table in `schema`, as JSON text in a stable order, by table name. */
export async function snapshotDatabase(url: string, schema = 'public'): Promise<Record<string, string[]>> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables
       where table_schema = $1 and table_type = 'BASE TABLE' order by table_name`,
      [schema],
    );
    const snapshot: Record<string, string[]> = {};
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(
        `select row_to_json(t)::text as row from "${schema}"."${name}" t order by 1`,
      );
      snapshot[name] = rows.rows.map((row) => row.row);
    }
    return snapshot;
  });
}
