/**
 * botbuilder Storage in PostgreSQL. Keys embed channel and conversation ids, so they are stored as HMACs; values
 * are encrypted with the PHI key ring. Reads and writes join the turn's transaction when there is one.
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { currentExecutor } from '../db/transaction-scope';
import type { KeyRing } from '../phi/key-ring';

export class PostgresDialogStorage implements Storage {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyRing: KeyRing,
  ) {}

  private hashKey(key: string): string {
    return this.keyRing.blindIndex('dialog-state', key);
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const hashes = new Map(keys.map((key) => [this.hashKey(key), key]));
    const rows = await currentExecutor(this.db)
      .selectFrom('dialog_state')
      .select(['key_hash', 'value_enc'])
      .where('key_hash', 'in', [...hashes.keys()])
      .execute();
    const items: StoreItems = {};
    for (const row of rows) items[hashes.get(row.key_hash)!] = this.keyRing.decryptJson(row.value_enc);
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const executor = currentExecutor(this.db);
    for (const [key, value] of Object.entries(changes)) {
      const row = { key_hash: this.hashKey(key), value_enc: this.keyRing.encryptJson(value), updated_at: new Date() };
      await executor
        .insertInto('dialog_state')
        .values(row)
        .onConflict((conflict) => conflict.column('key_hash').doUpdateSet({ value_enc: row.value_enc, updated_at: row.updated_at }))
        .execute();
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await currentExecutor(this.db).deleteFrom('dialog_state').where('key_hash', 'in', keys.map((key) => this.hashKey(key))).execute();
  }
}
