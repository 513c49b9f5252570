/**
 * Work that repeats on a schedule, as a BullMQ job scheduler: however many workers run, Redis holds one schedule and
 * each run is one job taken by one worker, so replicas never run it twice at once. Its job data is empty (a run
 * reads what it needs from the database).
 */
import { Queue, type RepeatOptions, Worker } from 'bullmq';
import type { QueueSettings } from './job-queue';

export interface RepeatingJob {
  readonly name: string;
  /** The schedule's id in Redis (default `<name>-schedule`); keep it stable, or a deployment gets a second schedule. */
  readonly schedulerId?: string;
  /** A cron `pattern` (with `tz`), or `every` so many milliseconds. */
  readonly repeat: Omit<RepeatOptions, 'key'>;
  readonly run: () => Promise<void>;
  /** Runs at once (default 1: one pass at a time). */
  readonly concurrency?: number;
}

/** Registers (or keeps) the schedule and starts a worker for it; close both on shutdown. */
export async function scheduleRepeatingJob(
  settings: QueueSettings,
  job: RepeatingJob,
): Promise<{ queue: Queue; worker: Worker }> {
  const queue = new Queue(job.name, { connection: settings.connection, prefix: settings.prefix });
  await queue.upsertJobScheduler(job.schedulerId ?? `${job.name}-schedule`, job.repeat, {
    name: job.name,
    data: {},
    opts: { removeOnComplete: true, removeOnFail: 50 },
  });
  const worker = new Worker(job.name, job.run, {
    connection: settings.connection,
    prefix: settings.prefix,
    concurrency: job.concurrency ?? 1,
  });
  return { queue, worker };
}
