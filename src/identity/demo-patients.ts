/** The demo practice's patients, copied (encrypted) from the embedded demo EMR so the product can find them. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { createDemoEmr } from '../emr';
import type { KeyRing } from '../phi/key-ring';
import { PatientDirectory } from './patient-directory';

export async function seedDemoPatients(db: Kysely<Database>, keyRing: KeyRing, practiceId: string): Promise<void> {
  const emr = await createDemoEmr();
  try {
    await new PatientDirectory(keyRing).sync(db, practiceId, await emr.listPatients());
  } finally {
    await emr.close();
  }
}
