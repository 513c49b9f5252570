/**
 * The daily retention run: a fixed night-time hour (not "every 24 h from now"), so restarts neither skip nor repeat
 * a run, and one run however many workers there are.
 */
import type { Queue, Worker } from 'bullmq';
import type { QueueSettings } from './job-queue';
import { scheduleRepeatingJob } from './repeating-job';

/** 03:17 every night in the practice's time zone: quiet, and off the hour when other cron jobs pile up. */
const NIGHTLY = '17 3 * * *';
export const RETENTION_QUEUE = 'retention';

export function scheduleRetention(
  settings: QueueSettings,
  timeZone: string,
  run: () => Promise<void>,
): Promise<{ queue: Queue; worker: Worker }> {
  return scheduleRepeatingJob(settings, {
    name: RETENTION_QUEUE,
    schedulerId: 'retention-daily',
    repeat: { pattern: NIGHTLY, tz: timeZone },
    run,
  });
}
