/**
 * Fixed-window rate limits kept in PostgreSQL (one upsert per attempt): the secure page's attempts are few, the
 * counters then live in the same database (and test schema) as the links, and the injected clock decides windows.
 * Subjects such as IP addresses and phone numbers are PII, so a bucket is a blind index, never the value itself.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';
import type { SecureLinkTables } from '../db/secure-link-tables';
import type { KeyRing } from '../phi/key-ring';

export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimitsOptions {
  readonly keyRing: KeyRing;
  readonly now?: () => Date;
}

export class RateLimits {
  private readonly keyRing: KeyRing;
  private readonly now: () => Date;

  constructor(options: RateLimitsOptions) {
    this.keyRing = options.keyRing;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Counts one attempt by `subject` under `scope` (e.g. `birth-date:ip`) in the current window; true while the count
   * is within the rule's limit. Attempts over the limit still count, so hammering keeps the subject blocked.
   */
  async take(db: Kysely<Database>, scope: string, subject: string, rule: RateLimitRule): Promise<boolean> {
    const windowStart = new Date(Math.floor(this.now().getTime() / rule.windowMs) * rule.windowMs);
    const bucket = this.keyRing.blindIndex('rate-limit', `${scope}\u0000${rule.windowMs}\u0000${subject}`);
    const row = await db
      .withTables<SecureLinkTables>()
      .insertInto('rate_limit_counters')
      .values({ bucket, window_start: windowStart, hits: 1 })
      .onConflict((conflict) =>
        conflict.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limit_counters.hits + 1` }),
      )
      .returning('hits')
      .executeTakeFirstOrThrow();
    return row.hits <= rule.limit;
  }
}
