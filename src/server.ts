/**
 * HTTP entry: web pages, web chat socket and (later) webhooks. Outside production it also runs the queue workers, so
 * `npm start` is the whole product in one process; production runs `worker.ts` separately.
 */
import { createApp } from './app';
import { loadConfig } from './config';
import { exitOnStartupError, handleProcessSignals } from './process-lifecycle';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  handleProcessSignals(app.logger, () => app.stop());
  if (config.demoMode) await app.startWorkers();
  if (config.METRICS_PORT !== undefined) await app.serveHealth(config.METRICS_PORT);
  const port = await app.listen();
  app.logger.info({ url: config.PUBLIC_URL ?? `http://localhost:${port}` }, 'Clinic Concierge is ready');
}

main().catch(exitOnStartupError);
