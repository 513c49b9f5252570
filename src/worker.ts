/**
 * Queue worker entry for production: processes inbound messages and sends outbound ones. Its only HTTP is health
 * and metrics on METRICS_PORT, when set, for probes and Prometheus.
 */
import { createApp } from './app';
import { loadConfig } from './config';
import { exitOnStartupError, handleProcessSignals } from './process-lifecycle';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  handleProcessSignals(app.logger, () => app.stop());
  if (config.METRICS_PORT !== undefined) await app.serveHealth(config.METRICS_PORT);
  await app.startWorkers();
  app.logger.info('workers started');
}

main().catch(exitOnStartupError);
