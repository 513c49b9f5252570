/** Opens the database, migrates it and, outside production, seeds the demo practice into an empty one. */
import type { Config } from '../config';
import { createActionRegistry } from '../flows/actions';
import { loadFlowFiles } from '../flows/flow-loader';
import type { Logger } from '../observability/logger';
import { seedDemoPatients } from '../identity/demo-patients';
import { loadKeyRing } from '../phi/dev-key-ring';
import { isDatabaseEmpty, seedDemoPractice } from '../practice/demo-seed';
import { findDefaultPracticeId } from '../practice/practice-repository';
import { FLOWS_DIR } from '../project-paths';
import { migrateToLatest } from './migrate';
import { type DatabaseHandle, openDatabase } from './open-database';

export async function prepareDatabase(config: Config, logger: Logger): Promise<DatabaseHandle> {
  const database = await openDatabase(config);
  try {
    const applied = await migrateToLatest(database.db, database.schema);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    if (config.demoMode && (await isDatabaseEmpty(database.db))) {
      await seedDemoPractice(database.db, await loadFlowFiles(FLOWS_DIR, createActionRegistry()));
      const practiceId = await findDefaultPracticeId(database.db);
      if (practiceId) await seedDemoPatients(database.db, loadKeyRing(config.PHI_KEYS, config.dataDir), practiceId);
      logger.info('demo practice seeded');
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
