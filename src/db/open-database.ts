/**
 * Opens the database: PostgreSQL at DATABASE_URL, or an embedded PGlite in DATA_DIR when it is unset.
 * int8 values come back as numbers on both so ids look the same everywhere. On PostgreSQL, statements marked as hot
 * run as named prepared statements (prepared-statement-pool.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config';
import { lockEmbeddedDatabase } from './embedded-lock';
import { PglitePool } from './pglite-pool';
import { PreparedStatementPool } from './prepared-statement-pool';
import { SchemaScopedPostgresDialect } from './schema-scoped-dialect';
import type { Database } from './schema';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  readonly schema: string;
  close(): Promise<void>;
}

const INT8_OID = 20;

export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'dataDir'>,
): Promise<DatabaseHandle> {
  const handle = config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, config.DATABASE_SCHEMA)
    : await openPglite(path.join(config.dataDir, 'pglite'));
  return handle;
}

function openPostgres(url: string, schema: string): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    options: `-c search_path=${schema}`,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({
    dialect: new SchemaScopedPostgresDialect({ pool: new PreparedStatementPool(pool) }, schema),
  });
  return { db, kind: 'postgres', schema, close: () => db.destroy() };
}

async function openPglite(directory: string): Promise<DatabaseHandle> {
  fs.mkdirSync(directory, { recursive: true });
  const release = lockEmbeddedDatabase(directory);
  try {
    const database = await PGlite.create(directory, { parsers: { [INT8_OID]: (value: string) => Number(value) } });
    const db = new Kysely<Database>({
      dialect: new SchemaScopedPostgresDialect({ pool: new PglitePool(database) }, 'public'),
    });
    const close = async () => {
      await db.destroy();
      release();
    };
    return { db, kind: 'pglite', schema: 'public', close };
  } catch (error) {
    release();
    throw error;
  }
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
