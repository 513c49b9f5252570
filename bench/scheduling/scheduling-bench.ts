/**
 * Booking by SMS end to end against an external FHIR R4 server: how many booking conversations a second the whole
 * product holds, and how long one takes (first text → "You're booked" accepted by the fake Twilio API) and each
 * reply, with 1, 2 and 4 verified phones texting in parallel, each answering every reply at once. The product runs
 * in this process with EMR_ADAPTER=fhir against the external FHIR server process holding the demo seed; the phones and
 * the fake Twilio API run in a worker thread. The baseline, measured in the same run with the same lanes and wished
 * windows, is the FHIR work alone (findSlots + book through the `fhir` EmrAdapter) against a second FHIR server
 * process seeded the same: the ratio is the price of the conversation around the booking. See README.md for the
 * choices. Prints figures; asserts nothing about time.
 *
 * Run alone with `npx tsx bench/scheduling/scheduling-bench.ts`, or with every benchmark through `npm run bench`.
 */
import os from 'node:os';
import type { App } from '../../src/app';
import { createEmrAdapter, type EmrAdapter } from '../../src/emr';
import { DEMO_TIME_ZONE } from '../../src/practice/demo-practice';
import { type ExternalFhirServer, startExternalFhirServer } from '../../test/fakes/fhir/external-fhir-server';
import { createTwilioEnvironment } from '../../test/integration/twilio/twilio-test-kit';
import { startTestApp } from '../../test/support/test-app';
import {
  type BaselineFigures,
  type ConversationFigures,
  baselineFigures,
  conversationFigures,
  figuresRecord,
  printFigures,
} from './booking-figures';
import { type BookingWish, candidatePhrases } from './booking-wishes';
import { countFreeSlots, runFhirBaseline } from './fhir-baseline';
import { TextingPatients } from './texting-patients';
import { SIMULATED_PHONES, verifyPhones } from './verified-phones';

/** Phones (and baseline lanes) in parallel, one level after another. */
const IN_PARALLEL = [1, 2, 4] as const;
const CONVERSATIONS_PER_LEVEL = 100;
/** Not reported: JIT, pools, NLU, the adapters' schedule caches warmed first, on every phone. */
const WARM_UP_CONVERSATIONS = 8;
/** The intents the booking flow starts on ("I need a checkup next Tuesday" leans to rescheduling; both book). */
const BOOKING_INTENTS: readonly string[] = ['appointment.book', 'appointment.reschedule'];

interface World {
  readonly app: App;
  readonly publicUrl: string;
  readonly patients: TextingPatients;
  readonly productFhir: ExternalFhirServer;
  /** The baseline's own adapter, on the second FHIR server. */
  readonly baselineEmr: EmrAdapter;
}

type Closers = Array<() => Promise<void>>;

/** Both FHIR servers (seeded at the same instant), the phones' thread, the product, the baseline's adapter. */
async function startWorld(closers: Closers): Promise<World> {
  const now = new Date();
  const productFhir = await startExternalFhirServer({ now, timeZone: DEMO_TIME_ZONE });
  closers.unshift(() => productFhir.stop());
  const baselineFhir = await startExternalFhirServer({ now, timeZone: DEMO_TIME_ZONE });
  closers.unshift(() => baselineFhir.stop());
  const { patients, twilioApiBaseUrl } = await TextingPatients.start();
  closers.unshift(() => patients.stop());
  const { environment, port, publicUrl } = await createTwilioEnvironment(twilioApiBaseUrl, {
    EMR_ADAPTER: 'fhir',
    FHIR_BASE_URL: productFhir.fhirBaseUrl,
  });
  closers.unshift(() => environment.cleanup());
  const { app } = await startTestApp(environment.config, {}, port);
  closers.unshift(() => app.stop());
  const baselineEmr = await createEmrAdapter('fhir', { fhir: { baseUrl: baselineFhir.fhirBaseUrl } });
  closers.unshift(() => baselineEmr.close());
  return { app, publicUrl, patients, productFhir, baselineEmr };
}

/**
 * The phrases the product's NLU sends to the booking flow, each with the free slots of its window; both FHIR servers
 * must hold the same (they were seeded at the same instant).
 */
async function bookingWishes(world: World): Promise<BookingWish[]> {
  const understood: Array<Omit<BookingWish, 'freeSlots'>> = [];
  for (const candidate of candidatePhrases(new Date(), DEMO_TIME_ZONE)) {
    const guessed = await world.app.nlu.parse(candidate.phrase);
    const english = await world.app.nlu.parse(candidate.phrase, 'en');
    if (BOOKING_INTENTS.includes(guessed.intent) && BOOKING_INTENTS.includes(english.intent))
      understood.push(candidate);
  }
  // Counted through an adapter of its own, so the product's adapter is first used by the product.
  const counter = await createEmrAdapter('fhir', { fhir: { baseUrl: world.productFhir.fhirBaseUrl } });
  try {
    const wishes: BookingWish[] = [];
    for (const candidate of understood) {
      const freeSlots = await countFreeSlots(counter, candidate);
      const baselineSlots = await countFreeSlots(world.baselineEmr, candidate);
      if (freeSlots !== baselineSlots) throw new Error(`the two FHIR servers differ for "${candidate.phrase}"`);
      if (freeSlots > 0) wishes.push({ ...candidate, freeSlots });
    }
    return wishes;
  } finally {
    await counter.close();
  }
}

function checkEnoughSlots(wishes: readonly BookingWish[]): void {
  const needed = WARM_UP_CONVERSATIONS + IN_PARALLEL.length * CONVERSATIONS_PER_LEVEL;
  const free = wishes.reduce((sum, wish) => sum + wish.freeSlots, 0);
  if (wishes.length < Math.max(...IN_PARALLEL) || free < needed) {
    throw new Error(`${wishes.length} windows with ${free} free slots: not enough for ${needed} bookings`);
  }
}

interface Measured {
  readonly product: ConversationFigures[];
  readonly baseline: BaselineFigures[];
}

/**
 * Both sides warmed up, then level by level the baseline and the product one after the other, so that each ratio
 * compares runs minutes apart at most. Each side books from its own server's slots.
 */
async function measure(world: World, wishes: readonly BookingWish[]): Promise<Measured> {
  const phones = SIMULATED_PHONES.map((phone) => phone.number);
  const patientEmrIds = SIMULATED_PHONES.map((phone) => phone.patientEmrId);
  let baselineWishes = (await runFhirBaseline(world.baselineEmr, patientEmrIds, WARM_UP_CONVERSATIONS, wishes)).wishes;
  const warmUp = await world.patients.book(world.publicUrl, phones, WARM_UP_CONVERSATIONS, wishes);
  const warmUpFailures = warmUp.results.flatMap((result) => (result.failure ? [result.failure] : []));
  if (warmUpFailures.length > 0) console.log(`  warm-up: ${warmUpFailures.length} failed (${warmUpFailures[0]})`);
  let productWishes = warmUp.wishes;
  const measured: Measured = { product: [], baseline: [] };
  for (const inParallel of IN_PARALLEL) {
    const baseline = await runFhirBaseline(
      world.baselineEmr,
      patientEmrIds.slice(0, inParallel),
      CONVERSATIONS_PER_LEVEL,
      baselineWishes,
    );
    baselineWishes = baseline.wishes;
    measured.baseline.push(logBaseline(baselineFigures(inParallel, baseline.run)));
    const product = await world.patients.book(
      world.publicUrl,
      phones.slice(0, inParallel),
      CONVERSATIONS_PER_LEVEL,
      productWishes,
    );
    productWishes = product.wishes;
    measured.product.push(logProduct(conversationFigures(inParallel, product)));
  }
  return measured;
}

function logBaseline(figures: BaselineFigures): BaselineFigures {
  console.log(
    `  baseline, ${figures.lanes} in parallel: ${figures.booked}/${figures.bookings} booked,` +
      ` ${figures.perSecond.toFixed(1)}/s, p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms`,
  );
  return figures;
}

function logProduct(figures: ConversationFigures): ConversationFigures {
  console.log(
    `  product, ${figures.phones} in parallel: ${figures.booked}/${figures.conversations} booked,` +
      ` ${figures.perSecond.toFixed(2)}/s, p50 ${figures.p50Ms.toFixed(0)} ms, p99 ${figures.p99Ms.toFixed(0)} ms`,
  );
  return figures;
}

/** Runs the scheduling benchmark (setup, then baseline and product level by level), prints tables, returns figures. */
export async function runSchedulingBench(): Promise<Record<string, number>> {
  const machine = `${os.cpus().length} cores, 1-minute load average ${os.loadavg()[0]!.toFixed(2)} before the run`;
  const closers: Closers = [];
  try {
    const world = await startWorld(closers);
    const wishes = await bookingWishes(world);
    checkEnoughSlots(wishes);
    await verifyPhones(world.app, world.patients, world.publicUrl, SIMULATED_PHONES);
    const { product, baseline } = await measure(world, wishes);
    const freeSlots = wishes.reduce((sum, wish) => sum + wish.freeSlots, 0);
    printFigures(product, baseline, { machine, wishes: wishes.length, freeSlots });
    return figuresRecord(product, baseline);
  } finally {
    for (const close of closers) await close().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

if (require.main === module) {
  runSchedulingBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
