/**
 * The EMR change watch as a BullMQ job scheduler: one schedule in Redis however many workers run, each pass one job
 * taken by one worker, so a change is never applied (nor a patient told) twice by two replicas at once.
 */
import { Queue, Worker } from 'bullmq';
import type { QueueSettings } from './job-queue';

const QUEUE_NAME = 'emr-watch';
const SCHEDULER_ID = 'emr-watch-every';

export async function scheduleEmrWatch(
  settings: QueueSettings,
  everyMs: number,
  run: () => Promise<void>,
): Promise<{ queue: Queue; worker: Worker }> {
  const queue = new Queue(QUEUE_NAME, { connection: settings.connection, prefix: settings.prefix });
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: everyMs },
    { name: QUEUE_NAME, data: {}, opts: { removeOnComplete: true, removeOnFail: 50 } },
  );
  const worker = new Worker(QUEUE_NAME, run, {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: 1,
  });
  return { queue, worker };
}
