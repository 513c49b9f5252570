/**
 * The transaction a turn runs in, for code that cannot be handed it (Botkit's Storage interface takes no context).
 * Dialog state is saved in the same transaction as the turn's outbound messages.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

const scope = new AsyncLocalStorage<Transaction<Database>>();

export function runInTransactionScope<T>(transaction: Transaction<Database>, work: () => Promise<T>): Promise<T> {
  return scope.run(transaction, work);
}

/** The current turn's transaction, or `db` outside one. */
export function currentExecutor(db: Kysely<Database>): Kysely<Database> {
  return scope.getStore() ?? db;
}
