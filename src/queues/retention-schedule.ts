/**
 * The daily retention run as a BullMQ job scheduler: however many workers run, Redis holds one schedule and each run
 * is one job, taken by one worker. A fixed night-time hour (not "every 24 h from now"), so restarts neither skip nor
 * repeat a run. Its job data is empty (the run reads everything from the database).
 */
import { Queue, Worker } from 'bullmq';
import type { QueueSettings } from './job-queue';

const QUEUE_NAME = 'retention';
const SCHEDULER_ID = 'retention-daily';
/** 03:17 every night in the practice's time zone: quiet, and off the hour when other cron jobs pile up. */
const NIGHTLY = '17 3 * * *';

/** Registers (or keeps) the nightly schedule and starts a worker for it; close both on shutdown. */
export async function scheduleRetention(
  settings: QueueSettings,
  timeZone: string,
  run: () => Promise<void>,
): Promise<{ queue: Queue; worker: Worker }> {
  const queue = new Queue(QUEUE_NAME, { connection: settings.connection, prefix: settings.prefix });
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: NIGHTLY, tz: timeZone },
    { name: QUEUE_NAME, data: {}, opts: { removeOnComplete: true, removeOnFail: 50 } },
  );
  const worker = new Worker(QUEUE_NAME, run, { connection: settings.connection, prefix: settings.prefix });
  return { queue, worker };
}
