/**
 * The baseline: the FHIR operations a booking conversation makes, called straight through the `fhir` EmrAdapter
 * with nothing of the product around them (no webhook, NLU, flows, PostgreSQL, queues, PHI gate or SMS): `findSlots`
 * for the wished window exactly as the offer asks (annual physical, up to 50, earliest first), then `book` of the
 * earliest (its idempotency-key lookup, slot read, transaction and read-back included). Same lanes, same wishes and
 * the same closed loop as the conversations.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EmrAdapter, VisitType } from '../../src/emr';
import { type BookingWish, WishLeases } from './booking-wishes';
import { type ClosedLoopRun, runClosedLoop } from './closed-loop';

/** What the offer in the flow asks the EMR for (src/flows/actions/booking-actions.ts). */
const SLOT_SEARCH_LIMIT = 50;
const VISIT_TYPE: VisitType = 'annual-physical';

export interface BaselineBooking {
  readonly booked: boolean;
  /** findSlots called → book answered. */
  readonly latencyMs: number;
  readonly findSlotsMs: number;
  readonly bookMs: number;
  /** Why not booked: 'no free slot', or book's status ('slot_taken', 'rejected'). */
  readonly failure?: string;
}

/** How many slots a conversation asking for `wish` may be offered: what the offer's search finds. */
export async function countFreeSlots(emr: EmrAdapter, wish: Omit<BookingWish, 'freeSlots'>): Promise<number> {
  const { from, to } = wish.window;
  return (await emr.findSlots({ from, to, limit: SLOT_SEARCH_LIMIT, visitType: VISIT_TYPE })).length;
}

/** `count` bookings, one lane per patient in parallel; returns them and the wishes with the slots they left. */
export async function runFhirBaseline(
  emr: EmrAdapter,
  patientEmrIds: readonly string[],
  count: number,
  wishes: readonly BookingWish[],
): Promise<{ run: ClosedLoopRun<BaselineBooking>; wishes: BookingWish[] }> {
  const leases = new WishLeases(wishes);
  const run = await runClosedLoop(patientEmrIds, count, leases, (patientEmrId, wish) =>
    findAndBook(emr, patientEmrId, wish),
  );
  return { run, wishes: leases.left() };
}

async function findAndBook(emr: EmrAdapter, patientEmrId: string, wish: BookingWish): Promise<BaselineBooking> {
  const started = performance.now();
  const [slot] = await emr.findSlots({
    from: wish.window.from,
    to: wish.window.to,
    limit: SLOT_SEARCH_LIMIT,
    visitType: VISIT_TYPE,
  });
  const found = performance.now();
  if (!slot)
    return {
      booked: false,
      latencyMs: Number.NaN,
      findSlotsMs: found - started,
      bookMs: Number.NaN,
      failure: 'no free slot',
    };
  const result = await emr.book({ idempotencyKey: crypto.randomUUID(), patientEmrId, slot, visitType: VISIT_TYPE });
  const answered = performance.now();
  return {
    booked: result.status === 'booked',
    latencyMs: answered - started,
    findSlotsMs: found - started,
    bookMs: answered - found,
    ...(result.status === 'booked' ? {} : { failure: result.status }),
  };
}
