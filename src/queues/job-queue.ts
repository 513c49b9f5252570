/**
 * The one shape every queue has: a name, a readonly job data type (ids, never PHI), a deterministic job id so adding
 * the same work twice is a no-op, and retries with exponential backoff.
 */
import { type ConnectionOptions, DelayedError, type JobsOptions, Queue, Worker } from 'bullmq';

/**
 * Finished jobs are removed, failed ones too: the database row (unprocessed inbound, queued outbound) is the record
 * of pending work, and the recovery sweeper can only re-add a job whose id is free.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** Jobs take milliseconds; a worker killed mid-job has its job picked up again within seconds. */
const WORKER_LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;

/**
 * Thrown by a job that cannot proceed yet and is not failing (it waits for earlier work, or for a provider to
 * report): the job is run again after `delayMs` without using up one of its attempts.
 */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'RetryLater';
  }
}

export interface QueueSettings {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
}

export interface JobQueueDefinition<T> {
  readonly name: string;
  /** The deterministic id of the job for `data` (to find or remove it). */
  jobIdOf(data: T): string;
  createQueue(settings: QueueSettings): Queue<T>;
  /** `delayMs`: run no sooner than that (a retry later). */
  addJob(queue: Queue<T>, data: T, options?: { readonly delayMs?: number }): Promise<void>;
  createWorker(settings: QueueSettings, processJob: (data: T) => Promise<void>, concurrency: number): Worker<T>;
}

export function defineJobQueue<T>(name: string, jobIdOf: (data: T) => string): JobQueueDefinition<T> {
  return {
    name,
    jobIdOf,
    createQueue: ({ connection, prefix }) =>
      new Queue<T>(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
    async addJob(queue, data, options = {}) {
      // BullMQ's Queue.add is typed with conditional generics that do not narrow for a generic T.
      await (queue as unknown as Queue).add(name, data, { jobId: jobIdOf(data), delay: options.delayMs });
    },
    createWorker: ({ connection, prefix }, processJob, concurrency) =>
      new Worker<T>(
        name,
        async (job, token) => {
          try {
            await processJob(job.data);
          } catch (error) {
            if (!(error instanceof RetryLater)) throw error;
            await job.moveToDelayed(Date.now() + error.delayMs, token);
            throw new DelayedError();
          }
        },
        {
          connection,
          prefix,
          concurrency,
          lockDuration: WORKER_LOCK_MS,
          stalledInterval: STALLED_CHECK_MS,
          maxStalledCount: 3,
        },
      ),
  };
}
