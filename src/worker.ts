/** Queue worker entry for production: processes inbound messages and sends outbound ones; serves no HTTP. */
import { createApp } from './app';
import { loadConfig } from './config';
import { exitOnStartupError, handleProcessSignals } from './process-lifecycle';

async function main(): Promise<void> {
  const app = await createApp(loadConfig());
  handleProcessSignals(app.logger, () => app.stop());
  await app.startWorkers();
  app.logger.info('workers started');
}

main().catch(exitOnStartupError);
