/**
 * What the server and worker entries share: readable start-up failures, a last-resort handler for stray promise
 * rejections (logged without PHI, never fatal), and a graceful stop on SIGTERM/SIGINT.
 */
import { ConfigError } from './config';
import type { Logger } from './observability/logger';
import { RedisUnavailableError } from './redis/redis-connection';

/** Prints why start-up failed, in words an operator can act on, and exits. */
export function exitOnStartupError(error: unknown): never {
  const readable = error instanceof ConfigError || error instanceof RedisUnavailableError;
  const message = readable ? (error as Error).message : `Start-up failed: ${error instanceof Error ? error.stack : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export function handleProcessSignals(logger: Logger, stop: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
