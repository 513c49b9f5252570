/**
 * Scheduled work runs once however many worker replicas run (issue 9): two replicas, each with its own Redis
 * connection, register the same schedule at start-up; Redis holds one schedule, and each run is one job that one of
 * the two workers takes.
 */
import { Redis } from 'ioredis';
import type { Queue, Worker } from 'bullmq';
import { scheduleRepeatingJob } from '../../../src/queues/repeating-job';
import { TEST_REDIS_URL, type TestEnvironment, createTestEnvironment } from '../../support/test-config';
import { waitFor } from '../../support/wait-for';

const HOUR_MS = 3_600_000;
let environment: TestEnvironment;
const connections: Redis[] = [];
const replicas: Array<{ queue: Queue; worker: Worker }> = [];
const runsBy: string[] = [];

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  for (const replica of ['replica-a', 'replica-b']) {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(connection);
    replicas.push(
      await scheduleRepeatingJob(
        { connection, prefix: environment.config.QUEUE_PREFIX },
        { name: 'nightly-check', repeat: { every: HOUR_MS }, run: async () => void runsBy.push(replica) },
      ),
    );
  }
});

afterAll(async () => {
  for (const { worker, queue } of replicas) {
    await worker.close();
    await queue.close();
  }
  for (const connection of connections) connection.disconnect();
  await environment?.cleanup();
});

/** Lets both workers look for work for a moment, so a second run would have had its chance. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

test('two replicas registering the same schedule leave one schedule, and each due run is taken by one worker', async () => {
  const [first] = replicas;
  expect(await first!.queue.getJobSchedulers()).toHaveLength(1);

  // An `every` schedule runs once at once, then waits for the next slot: one run, one next job.
  await waitFor(() => runsBy.length >= 1, 15_000, 'the first run');
  await settle();
  expect(runsBy).toHaveLength(1);
  expect(await first!.queue.getDelayedCount()).toBe(1);

  // Bring the next two slots forward, as the clock reaching them would.
  for (const expectedRuns of [2, 3]) {
    const [next] = await first!.queue.getDelayed();
    await next!.promote();
    await waitFor(() => runsBy.length >= expectedRuns, 15_000, `run ${expectedRuns}`);
    await settle();
    expect(runsBy).toHaveLength(expectedRuns);
    expect(await first!.queue.getDelayedCount()).toBe(1);
  }
});
