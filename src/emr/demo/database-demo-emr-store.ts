/** The demo EMR's state in the practice's database, sealed with the key ring (the `DemoEmrStore` of demo-emr.ts). */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { KeyRing } from '../../phi/key-ring';
import type { DemoEmrStore } from './demo-emr';

export class DatabaseDemoEmrStore implements DemoEmrStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly practiceId: string,
    private readonly keyRing: KeyRing,
  ) {}

  async load(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('demo_emr_state')
      .select('resources_enc')
      .where('practice_id', '=', this.practiceId)
      .executeTakeFirst();
    return row && this.keyRing.decrypt(row.resources_enc);
  }

  async save(snapshot: string): Promise<void> {
    const resources_enc = this.keyRing.encrypt(snapshot);
    await this.db
      .insertInto('demo_emr_state')
      .values({ practice_id: this.practiceId, resources_enc })
      .onConflict((conflict) => conflict.column('practice_id').doUpdateSet({ resources_enc, updated_at: new Date() }))
      .execute();
  }
}
