/**
 * Twilio SMS ingest: correctly signed webhooks per second and their acknowledgement latency at increasing offered
 * load, until errors appear (issue 3, item 9). The app is started in this process on a fresh PostgreSQL schema with
 * Twilio configured and listens without workers, so what is measured is only webhook → verify → store → enqueue →
 * acknowledge. A bare Express 5 handler that parses the same form body and answers 200 is driven identically in the
 * same run; the ratio is the price of ingest. The load generator is a worker thread of this process (open loop,
 * keep-alive connections, bounded in flight). Prints figures; asserts nothing about time.
 *
 * Run alone with `npx tsx bench/ingest/ingest-bench.ts`, or with every benchmark through `npm run bench`.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { type App, createApp } from '../../src/app';
import { EMPTY_TWIML, TWILIO_MESSAGING_PATH } from '../../webhooks/twilio/twilio-webhook-router';
import { FakeTwilioApi } from '../../test/fakes/twilio/twilio-api-server';
import { ACCOUNT_SID, AUTH_TOKEN, createTwilioEnvironment } from '../../test/integration/twilio/twilio-test-kit';
import { formatNumber, percentile, printTable } from './figures-table';
import type { OpenLoopOutcome, OpenLoopStep, PreparedRequest } from './open-loop-step';
import { patientNumber, signedSmsWebhook } from './signed-sms-webhooks';
import { WorkerRpc } from './worker-rpc';

/** The load generator: a worker thread of this process running open-loop steps. */
type LoadGenerator = WorkerRpc<OpenLoopStep, OpenLoopOutcome>;

/** Offered rates, requests per second; stepping stops at the first step with a failed or shed request. */
const OFFERED_RATES = [100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000] as const;
const STEP_SECONDS = 5;
/** Not reported: JIT, connection pools, and one webhook from each patient number (contacts and conversations exist). */
const WARM_UP = { requestsPerSecond: 100, seconds: 1 } as const;
const MAX_IN_FLIGHT = 128;
const REQUEST_TIMEOUT_MS = 5_000;
const DRAIN_TIMEOUT_MS = 5_000;
const DISTINCT_PATIENTS = 100;
/** Issue 3's target, printed next to the figures for reference. */
const TARGET = { throughputShare: 0.4, p99Ms: 50, atRequestsPerSecond: 500 } as const;
const QUESTIONS = ['what are your hours?', 'do you have parking?', 'where are you located?', 'do you take medicare?'];

/** A server under test: where to post, the URL its signatures cover, and how to stop it. */
interface Target {
  readonly label: string;
  readonly url: string;
  readonly signedUrl: string;
  stop(): Promise<void>;
}

/** One measured step. */
export interface StepFigures {
  readonly offered: number;
  readonly achieved: number;
  readonly ok: number;
  readonly failed: number;
  readonly shed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly maxSendLagMs: number;
  readonly failures: Record<string, number>;
}

const discardLogs = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** The app with Twilio configured, listening on a port picked beforehand so PUBLIC_URL is the real URL; no workers. */
async function startIngestApp(): Promise<Target> {
  const twilioApi = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const { environment, port, publicUrl } = await createTwilioEnvironment(twilioApi.baseUrl);
  let app: App | undefined;
  const stop = async () => {
    await app?.stop();
    await environment.cleanup();
    await twilioApi.stop();
  };
  try {
    app = await createApp(environment.config, { logDestination: discardLogs() });
    await app.listen(port);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `${publicUrl}${TWILIO_MESSAGING_PATH}`;
  return { label: 'Clinic Concierge webhook', url, signedUrl: url, stop };
}

/** The baseline: Express 5, `express.urlencoded` with the webhook's limit, 200 with the same empty TwiML. */
async function startBareHandler(): Promise<Target> {
  const bare = express();
  bare.post(TWILIO_MESSAGING_PATH, express.urlencoded({ extended: false, limit: '64kb' }), (_req, res) => {
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  });
  const server = http.createServer(bare);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TWILIO_MESSAGING_PATH}`;
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return { label: 'bare Express urlencoded → 200', url, signedUrl: url, stop };
}

/** `count` signed webhooks from `DISTINCT_PATIENTS` numbers, round robin. */
function prepareWebhooks(target: Target, count: number): PreparedRequest[] {
  return Array.from({ length: count }, (_, index) =>
    signedSmsWebhook(target.signedUrl, {
      from: patientNumber(1000 + (index % DISTINCT_PATIENTS), 555),
      body: QUESTIONS[index % QUESTIONS.length]!,
    }),
  );
}

async function runStep(
  generator: LoadGenerator,
  target: Target,
  requestsPerSecond: number,
  seconds: number,
): Promise<OpenLoopOutcome> {
  return generator.call({
    url: target.url,
    requestsPerSecond,
    requests: prepareWebhooks(target, Math.round(requestsPerSecond * seconds)),
    maxInFlight: MAX_IN_FLIGHT,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
  });
}

function stepFigures(outcome: OpenLoopOutcome): StepFigures {
  return {
    offered: outcome.requestsPerSecond,
    achieved: outcome.elapsedMs > 0 ? (outcome.ok * 1000) / outcome.elapsedMs : Number.NaN,
    ok: outcome.ok,
    failed: outcome.failed,
    shed: outcome.shed,
    p50Ms: percentile(outcome.latenciesMs, 0.5),
    p99Ms: percentile(outcome.latenciesMs, 0.99),
    maxMs: percentile(outcome.latenciesMs, 1),
    maxSendLagMs: outcome.maxSendLagMs,
    failures: outcome.failures,
  };
}

const isClean = (step: StepFigures) => step.failed === 0 && step.shed === 0;

/** A warm-up (not reported), then the offered rates in order until a step fails or sheds. */
async function measureTarget(generator: LoadGenerator, target: Target): Promise<StepFigures[]> {
  await runStep(generator, target, WARM_UP.requestsPerSecond, WARM_UP.seconds);
  const steps: StepFigures[] = [];
  for (const rate of OFFERED_RATES) {
    const step = stepFigures(await runStep(generator, target, rate, STEP_SECONDS));
    steps.push(step);
    console.log(
      `  ${target.label}: ${rate} req/s offered → ${formatNumber(step.achieved)} req/s, p99 ${formatNumber(step.p99Ms, 2)} ms, ${step.failed} failed, ${step.shed} shed`,
    );
    if (!isClean(step)) break;
  }
  return steps;
}

async function measure(generator: LoadGenerator, start: () => Promise<Target>): Promise<StepFigures[]> {
  const target = await start();
  try {
    return await measureTarget(generator, target);
  } finally {
    await target.stop();
  }
}

/** The headline comparison: highest clean step of each, and both at the target's rate. */
export interface IngestSummary {
  readonly appBest?: StepFigures;
  readonly bareBest?: StepFigures;
  readonly throughputRatio: number;
  readonly bareSaturated: boolean;
  readonly appAtTarget?: StepFigures;
  readonly bareAtTarget?: StepFigures;
}

function summarize(app: readonly StepFigures[], bare: readonly StepFigures[]): IngestSummary {
  const appBest = app.filter(isClean).at(-1);
  const bareBest = bare.filter(isClean).at(-1);
  return {
    appBest,
    bareBest,
    throughputRatio: (appBest?.achieved ?? 0) / (bareBest?.achieved ?? Number.NaN),
    bareSaturated: bare.some((step) => !isClean(step)),
    appAtTarget: app.find((step) => step.offered === TARGET.atRequestsPerSecond),
    bareAtTarget: bare.find((step) => step.offered === TARGET.atRequestsPerSecond),
  };
}

function stepRow(label: string, step: StepFigures): string[] {
  const failures = Object.entries(step.failures).map(([kind, count]) => `${kind}×${count}`);
  return [
    label,
    String(step.offered),
    formatNumber(step.achieved),
    String(step.ok),
    String(step.failed),
    String(step.shed),
    formatNumber(step.p50Ms, 2),
    formatNumber(step.p99Ms, 2),
    formatNumber(step.maxMs, 1),
    formatNumber(step.maxSendLagMs, 1),
    failures.join(' '),
  ];
}

function printResults(
  app: readonly StepFigures[],
  bare: readonly StepFigures[],
  summary: IngestSummary,
  loadAverage: number,
): void {
  console.log(
    `\nSigned Twilio SMS webhooks → acknowledgement, POST ${TWILIO_MESSAGING_PATH} on 127.0.0.1` +
      `\nload generator: a worker thread of this process (node:http Agent keepAlive, open loop, ≤ ${MAX_IN_FLIGHT} in flight,` +
      ` ${STEP_SECONDS} s per step, ${DISTINCT_PATIENTS} patient numbers); app: listening without workers (ingest only)` +
      `\nmachine: ${os.cpus().length} cores, 1-minute load average ${loadAverage.toFixed(2)} before the run`,
  );
  const header = [
    '',
    'offered/s',
    'achieved/s',
    'ok',
    'failed',
    'shed',
    'p50 ms',
    'p99 ms',
    'max ms',
    'send lag ms',
    'failures',
  ];
  printTable([
    header,
    ...bare.map((step) => stepRow('bare Express urlencoded → 200', step)),
    ...app.map((step) => stepRow('Clinic Concierge (verify, store, enqueue)', step)),
  ]);
  printSummary(summary);
}

function printSummary(summary: IngestSummary): void {
  const { appBest, bareBest, appAtTarget, bareAtTarget } = summary;
  const bound = summary.bareSaturated
    ? ''
    : ` (the bare handler never failed: its ceiling is higher, so this ratio is an upper bound)`;
  console.log(
    `\nhighest error-free step: app ${appBest?.offered ?? 'none'} req/s (${formatNumber(appBest?.achieved ?? Number.NaN)} achieved),` +
      ` bare ${bareBest?.offered ?? 'none'} req/s (${formatNumber(bareBest?.achieved ?? Number.NaN)} achieved)`,
  );
  console.log(`throughput ratio app / bare: ${formatNumber(summary.throughputRatio, 3)}${bound}`);
  const p99AtTarget = (step: StepFigures | undefined) =>
    step ? `${formatNumber(step.p99Ms, 2)} ms` : 'not measured (stepping stopped below this rate)';
  console.log(
    `p99 at ${TARGET.atRequestsPerSecond} req/s: app ${p99AtTarget(appAtTarget)}, bare ${p99AtTarget(bareAtTarget)}`,
  );
  const shareMet = summary.throughputRatio >= TARGET.throughputShare;
  const p99Met = appAtTarget !== undefined && isClean(appAtTarget) && appAtTarget.p99Ms < TARGET.p99Ms;
  console.log(
    `issue 3 target (reference, not asserted): ≥ ${TARGET.throughputShare * 100}% of the bare handler's throughput` +
      ` [${shareMet ? 'met' : 'not met'}], p99 < ${TARGET.p99Ms} ms at ${TARGET.atRequestsPerSecond} req/s [${p99Met ? 'met' : 'not met'}]\n`,
  );
}

function figuresOf(prefix: string, steps: readonly StepFigures[]): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const step of steps) {
    figures[`${prefix}.${step.offered}.achieved_rps`] = step.achieved;
    figures[`${prefix}.${step.offered}.p50_ms`] = step.p50Ms;
    figures[`${prefix}.${step.offered}.p99_ms`] = step.p99Ms;
    figures[`${prefix}.${step.offered}.errors`] = step.failed + step.shed;
  }
  return figures;
}

/** Runs the ingest benchmark (bare handler first, then the app), prints a table, and returns its figures. */
export async function runIngestBench(): Promise<Record<string, number>> {
  const loadAverage = os.loadavg()[0]!;
  const generator: LoadGenerator = WorkerRpc.start(path.join(__dirname, 'open-loop-worker.ts'), 'load generator');
  try {
    const bare = await measure(generator, startBareHandler);
    const app = await measure(generator, startIngestApp);
    const summary = summarize(app, bare);
    printResults(app, bare, summary, loadAverage);
    return {
      'ingest.app.max_clean_rps': summary.appBest?.achieved ?? 0,
      'ingest.bare.max_clean_rps': summary.bareBest?.achieved ?? 0,
      'ingest.ratio.throughput': summary.throughputRatio,
      [`ingest.app.p99_ms_at_${TARGET.atRequestsPerSecond}`]: summary.appAtTarget?.p99Ms ?? Number.NaN,
      [`ingest.bare.p99_ms_at_${TARGET.atRequestsPerSecond}`]: summary.bareAtTarget?.p99Ms ?? Number.NaN,
      ...figuresOf('ingest.app', app),
      ...figuresOf('ingest.bare', bare),
    };
  } finally {
    await generator.stop();
  }
}

if (require.main === module) {
  runIngestBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
