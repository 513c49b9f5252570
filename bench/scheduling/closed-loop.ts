/**
 * A closed loop: a fixed number of lanes (phones, or baseline clients), each running one task after another until
 * `count` tasks have started. Each task gets a window leased for its whole length. Throughput is what the lanes
 * achieve with no pause between tasks; nothing is sent on a schedule.
 */
import { performance } from 'node:perf_hooks';
import type { BookingWish, WishLeases } from './booking-wishes';

export interface ClosedLoopRun<Result> {
  readonly results: Result[];
  /** First task started → last task finished. */
  readonly spanMs: number;
}

export async function runClosedLoop<Lane, Result>(
  lanes: readonly Lane[],
  count: number,
  leases: WishLeases,
  task: (lane: Lane, wish: BookingWish) => Promise<Result>,
): Promise<ClosedLoopRun<Result>> {
  const results: Result[] = [];
  let started = 0;
  const begin = performance.now();
  const runLane = async (lane: Lane) => {
    for (; started < count;) {
      started += 1;
      const lease = leases.lease();
      if (!lease) throw new Error('every window with free slots is in use or booked out: ask for fewer conversations');
      try {
        results.push(await task(lane, lease.wish));
      } finally {
        leases.release(lease.index);
      }
    }
  };
  await Promise.all(lanes.map(runLane));
  return { results, spanMs: performance.now() - begin };
}
