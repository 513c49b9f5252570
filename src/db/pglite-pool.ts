/**
 * Presents an embedded PGlite instance as the single-connection pool Kysely's PostgresDialect expects.
 * PGlite has one session, so connections are handed out one at a time (a transaction holds it until release).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

type Command = PostgresQueryResult<unknown>['command'];

export class PglitePool implements PostgresPool {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly database: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => released);
    await previous;
    return this.createClient(release);
  }

  async end(): Promise<void> {
    await this.queue;
    await this.database.close();
  }

  private createClient(release: () => void): PostgresPoolClient {
    const database = this.database;
    return {
      async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        // Parameterless SQL may hold several statements (migrations): only the simple protocol (exec) allows that.
        const result =
          parameters.length === 0 ? (await database.exec(sql)).at(-1) : await database.query<R>(sql, [...parameters]);
        const rows = (result?.rows ?? []) as R[];
        return { command: commandOf(sql), rowCount: result?.affectedRows ?? rows.length, rows };
      },
      release,
    } as PostgresPoolClient;
  }
}

function commandOf(sql: string): Command {
  const verb = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase();
  return verb === 'UPDATE' || verb === 'DELETE' || verb === 'INSERT' || verb === 'MERGE' ? verb : 'SELECT';
}
