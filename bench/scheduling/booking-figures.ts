/** The scheduling benchmark's figures: from the runs' results to the printed tables and the returned record. */
import { formatNumber, percentile, printTable } from '../ingest/figures-table';
import type { ConversationResult, ReplyStep } from './booking-conversation';
import type { ClosedLoopRun } from './closed-loop';
import type { BaselineBooking } from './fhir-baseline';

/** Booking conversations through the whole product, `phones` in parallel. */
export interface ConversationFigures {
  readonly phones: number;
  readonly conversations: number;
  readonly booked: number;
  readonly failed: number;
  readonly slotTaken: number;
  /** Booked conversations per second of the run's span. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly replyP50Ms: number;
  readonly replyP99Ms: number;
  readonly stepP50Ms: Readonly<Record<'offer' | 'question' | 'booked', number>>;
  readonly failures: readonly string[];
}

/** findSlots + book straight through the FHIR adapter, `lanes` in parallel. */
export interface BaselineFigures {
  readonly lanes: number;
  readonly bookings: number;
  readonly booked: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly findSlotsP50Ms: number;
  readonly bookP50Ms: number;
}

export function conversationFigures(phones: number, run: ClosedLoopRun<ConversationResult>): ConversationFigures {
  const booked = run.results.filter((result) => result.booked);
  const latencies = booked.map((result) => result.latencyMs);
  const replies = run.results.flatMap((result) => result.replies);
  const replyLatencies = replies.map((reply) => reply.latencyMs);
  const stepLatencies = (step: ReplyStep) =>
    replies.filter((reply) => reply.step === step).map((reply) => reply.latencyMs);
  return {
    phones,
    conversations: run.results.length,
    booked: booked.length,
    failed: run.results.length - booked.length,
    slotTaken: run.results.reduce((sum, result) => sum + result.slotTaken, 0),
    perSecond: (booked.length * 1000) / run.spanMs,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: percentile(latencies, 1),
    replyP50Ms: percentile(replyLatencies, 0.5),
    replyP99Ms: percentile(replyLatencies, 0.99),
    stepP50Ms: {
      offer: percentile(stepLatencies('offer'), 0.5),
      question: percentile(stepLatencies('question'), 0.5),
      booked: percentile(stepLatencies('booked'), 0.5),
    },
    failures: run.results.flatMap((result) => (result.failure ? [result.failure] : [])),
  };
}

export function baselineFigures(lanes: number, run: ClosedLoopRun<BaselineBooking>): BaselineFigures {
  const booked = run.results.filter((result) => result.booked);
  const latencies = booked.map((result) => result.latencyMs);
  return {
    lanes,
    bookings: run.results.length,
    booked: booked.length,
    failed: run.results.length - booked.length,
    perSecond: (booked.length * 1000) / run.spanMs,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: percentile(latencies, 1),
    findSlotsP50Ms: percentile(
      booked.map((result) => result.findSlotsMs),
      0.5,
    ),
    bookP50Ms: percentile(
      booked.map((result) => result.bookMs),
      0.5,
    ),
  };
}

/** Prints the conversations, the baseline and their ratios, level by level. */
export function printFigures(
  product: readonly ConversationFigures[],
  baseline: readonly BaselineFigures[],
  context: { readonly machine: string; readonly wishes: number; readonly freeSlots: number },
): void {
  console.log(
    `\nBooking by SMS end to end against an external FHIR R4 server: "I need a checkup <day> <part of day>" → offer →` +
      ` "1" → "Shall I book it?" → "yes" → "You're booked", verified phones answering at once (closed loop)` +
      `\nphones and the fake Twilio API (status callbacks on) in a worker thread; the product (createApp + workers +` +
      ` listen, EMR_ADAPTER=fhir) in the main thread; the baseline (findSlots + book through the fhir EmrAdapter) in` +
      ` the main thread against a second FHIR server seeded the same` +
      `\n${context.wishes} windows asked for, ${context.freeSlots} free annual-physical slots in them at the start;` +
      ` ${context.machine}`,
  );
  printTable([
    ['', 'in parallel', 'runs', 'booked', 'failed', 'slot taken', 'per s', 'p50 ms', 'p99 ms', 'max ms'],
    ...product.map((figures) => [
      'conversations (whole product)',
      String(figures.phones),
      String(figures.conversations),
      String(figures.booked),
      String(figures.failed),
      String(figures.slotTaken),
      formatNumber(figures.perSecond, 2),
      formatNumber(figures.p50Ms),
      formatNumber(figures.p99Ms),
      formatNumber(figures.maxMs),
    ]),
    ...baseline.map((figures) => [
      'findSlots + book (fhir adapter)',
      String(figures.lanes),
      String(figures.bookings),
      String(figures.booked),
      String(figures.failed),
      '',
      formatNumber(figures.perSecond, 2),
      formatNumber(figures.p50Ms),
      formatNumber(figures.p99Ms),
      formatNumber(figures.maxMs),
    ]),
    ...product.map((figures, index) => [
      'ratio (product / baseline)',
      String(figures.phones),
      ...Array<string>(4).fill(''),
      `${formatNumber(figures.perSecond / baseline[index]!.perSecond, 3)}x`,
      `${formatNumber(figures.p50Ms / baseline[index]!.p50Ms)}x`,
      `${formatNumber(figures.p99Ms / baseline[index]!.p99Ms)}x`,
      '',
    ]),
  ]);
  console.log('\nper reply (text sent → that reply accepted by the fake Twilio API), and the baseline split:');
  printTable([
    [
      'in parallel',
      'reply p50 ms',
      'reply p99 ms',
      'offer p50',
      'question p50',
      'booked p50',
      'findSlots p50',
      'book p50',
    ],
    ...product.map((figures, index) => [
      String(figures.phones),
      formatNumber(figures.replyP50Ms),
      formatNumber(figures.replyP99Ms),
      formatNumber(figures.stepP50Ms.offer),
      formatNumber(figures.stepP50Ms.question),
      formatNumber(figures.stepP50Ms.booked),
      formatNumber(baseline[index]!.findSlotsP50Ms),
      formatNumber(baseline[index]!.bookP50Ms),
    ]),
  ]);
  for (const figures of product) {
    for (const failure of new Set(figures.failures))
      console.log(`failed with ${figures.phones} in parallel: ${failure}`);
  }
  console.log('');
}

/** The record `npm run bench` prints: `scheduling.<app|fhir|ratio>.p<in parallel>.<figure>`. */
export function figuresRecord(
  product: readonly ConversationFigures[],
  baseline: readonly BaselineFigures[],
): Record<string, number> {
  const record: Record<string, number> = {};
  product.forEach((figures, index) => {
    const base = baseline[index]!;
    Object.assign(record, {
      [`scheduling.app.p${figures.phones}.conversations`]: figures.conversations,
      [`scheduling.app.p${figures.phones}.failed`]: figures.failed,
      [`scheduling.app.p${figures.phones}.slot_taken`]: figures.slotTaken,
      [`scheduling.app.p${figures.phones}.conversations_per_s`]: figures.perSecond,
      [`scheduling.app.p${figures.phones}.p50_ms`]: figures.p50Ms,
      [`scheduling.app.p${figures.phones}.p99_ms`]: figures.p99Ms,
      [`scheduling.app.p${figures.phones}.reply_p50_ms`]: figures.replyP50Ms,
      [`scheduling.app.p${figures.phones}.reply_p99_ms`]: figures.replyP99Ms,
      [`scheduling.fhir.p${base.lanes}.bookings`]: base.bookings,
      [`scheduling.fhir.p${base.lanes}.failed`]: base.failed,
      [`scheduling.fhir.p${base.lanes}.bookings_per_s`]: base.perSecond,
      [`scheduling.fhir.p${base.lanes}.p50_ms`]: base.p50Ms,
      [`scheduling.fhir.p${base.lanes}.p99_ms`]: base.p99Ms,
      [`scheduling.ratio.p${figures.phones}.throughput`]: figures.perSecond / base.perSecond,
      [`scheduling.ratio.p${figures.phones}.p50`]: figures.p50Ms / base.p50Ms,
      [`scheduling.ratio.p${figures.phones}.p99`]: figures.p99Ms / base.p99Ms,
    });
  });
  return record;
}
