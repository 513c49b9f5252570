/**
 * Web chat load: many visitors at once over real sockets on 127.0.0.1, each asking a few questions and waiting for
 * each answer, against the whole app in this process (real PostgreSQL, Redis, queues, NLU, flows). The same visitors
 * then talk to a bare `ws` echo server (answers every message at once) started in the same run: the ratio is the
 * price of everything between the socket and the answer. Prints figures; asserts nothing about time.
 *
 * Run alone with `npx tsx bench/webchat/webchat-bench.ts`, or with every benchmark through `npm run bench`.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { type App, createApp } from '../../src/app';
import { createTestEnvironment } from '../../test/support/test-config';

const VISITORS = 200;
const QUESTIONS_PER_VISITOR = 5;
/** Questions with a single answer each (a turn ends at the first bot message after the question). */
const QUESTIONS = [
  'what are your hours?',
  'do you have parking?',
  'where are you located?',
  'what is your fax number?',
  'do you take medicare?',
  'are you accepting new patients?',
  '¿aceptan Medicaid?',
] as const;
const CONNECT_TIMEOUT_MS = 10_000;
const TURN_TIMEOUT_MS = 30_000;

interface Frame {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** What one load run measured. */
export interface LoadResult {
  readonly visitors: number;
  readonly turns: number;
  readonly failures: number;
  readonly p50Ms: number;
  /** Send → ack: how fast ingest stores and acknowledges a message. */
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly p99Ms: number;
  readonly turnsPerSecond: number;
}

/** A visitor's socket: frames kept with their arrival time, and a way to wait for one. */
class VisitorSocket {
  private readonly frames: Array<{ frame: Frame; at: number }> = [];
  private waiter?: () => void;
  private closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push({ frame: JSON.parse(data.toString()) as Frame, at: performance.now() });
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(url: string): Promise<VisitorSocket> {
    const socket = new WebSocket(url);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      }),
      CONNECT_TIMEOUT_MS,
      'connect',
    );
    return new VisitorSocket(socket);
  }

  send(frame: Frame): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first frame (already received or to come) matching `predicate`, with its arrival time. */
  next(predicate: (frame: Frame) => boolean, timeoutMs: number): Promise<{ frame: Frame; at: number }> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const check = () => {
          const found = this.frames.find((entry) => predicate(entry.frame));
          if (found) {
            this.waiter = undefined;
            resolve(found);
          } else if (this.closed) {
            this.waiter = undefined;
            reject(new Error('socket closed'));
          }
        };
        this.waiter = check;
        check();
      }),
      timeoutMs,
      'frame',
    );
  }

  close(): void {
    this.socket.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface VisitorOutcome {
  readonly latenciesMs: number[];
  readonly ackMs: number[];
  readonly failures: number;
}

/**
 * Connects and says hello, calls `ready` (also when that failed), then waits for `start` before asking its questions
 * one after another.
 */
async function runVisitor(
  url: string,
  visitor: number,
  ready: () => void,
  start: Promise<void>,
): Promise<VisitorOutcome> {
  const latenciesMs: number[] = [];
  const ackMs: number[] = [];
  let socket: VisitorSocket | undefined;
  try {
    socket = await VisitorSocket.connect(url);
    socket.send({ type: 'hello', lastSeq: 0 });
    await socket.next((frame) => frame.type === 'welcome', TURN_TIMEOUT_MS);
    ready();
    await start;
    for (let turn = 0; turn < QUESTIONS_PER_VISITOR; turn += 1) {
      const clientMsgId = `bench-${visitor}-${turn}-${Date.now().toString(36)}`;
      const text = QUESTIONS[(visitor + turn) % QUESTIONS.length]!;
      const sentAt = performance.now();
      socket.send({ type: 'message', clientMsgId, text });
      const ack = await socket.next(
        (frame) => frame.type === 'ack' && frame.clientMsgId === clientMsgId,
        TURN_TIMEOUT_MS,
      );
      ackMs.push(ack.at - sentAt);
      const ackSeq = Number(ack.frame.seq);
      const reply = await socket.next(
        (frame) => frame.type === 'message' && frame.role === 'bot' && Number(frame.seq) > ackSeq,
        TURN_TIMEOUT_MS,
      );
      latenciesMs.push(reply.at - sentAt);
    }
    return { latenciesMs, ackMs, failures: 0 };
  } catch {
    ready();
    return { latenciesMs, ackMs, failures: QUESTIONS_PER_VISITOR - latenciesMs.length };
  } finally {
    socket?.close();
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** `VISITORS` visitors connect and say hello; then all start asking at once. Throughput counts from that moment. */
export async function simulateVisitors(url: string, visitors = VISITORS): Promise<LoadResult> {
  let release!: () => void;
  const start = new Promise<void>((resolve) => (release = resolve));
  const readiness: Array<Promise<void>> = [];
  const running = Array.from({ length: visitors }, (_, visitor) => {
    let ready!: () => void;
    readiness.push(new Promise<void>((resolve) => (ready = resolve)));
    return runVisitor(url, visitor, ready, start);
  });
  // Everyone is connected and welcomed (or has failed, within the connect and hello timeouts) before the clock starts.
  await Promise.all(readiness);
  const startedAt = performance.now();
  release();
  const outcomes = await Promise.all(running);
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const latencies = outcomes.flatMap((outcome) => outcome.latenciesMs).sort((a, b) => a - b);
  const acks = outcomes.flatMap((outcome) => outcome.ackMs).sort((a, b) => a - b);
  return {
    visitors,
    turns: latencies.length,
    failures: outcomes.reduce((sum, outcome) => sum + outcome.failures, 0),
    p50Ms: percentile(latencies, 0.5),
    ackP50Ms: percentile(acks, 0.5),
    ackP99Ms: percentile(acks, 0.99),
    p99Ms: percentile(latencies, 0.99),
    turnsPerSecond: latencies.length / elapsedSeconds,
  };
}

/** The baseline: a bare `ws` server that welcomes, acknowledges and answers every message immediately. */
async function startEchoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    let seq = 0;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'hello') {
        socket.send(JSON.stringify({ type: 'welcome', token: 'echo', conversationId: 'echo', lang: 'en' }));
      } else if (frame.type === 'message') {
        seq += 1;
        socket.send(JSON.stringify({ type: 'ack', clientMsgId: frame.clientMsgId, seq, duplicate: false }));
        seq += 1;
        socket.send(
          JSON.stringify({ type: 'message', seq, role: 'bot', text: frame.text, sentAt: new Date().toISOString() }),
        );
      }
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Measures the app (started in this process on a fresh PostgreSQL schema) and then the bare baseline. */
async function measureApp(): Promise<{ result: LoadResult; rssMb: number }> {
  const environment = await createTestEnvironment('postgres');
  let app: App | undefined;
  try {
    const discardLogs = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    app = await createApp(environment.config, { logDestination: discardLogs });
    await app.startWorkers();
    const port = await app.listen(0);
    const result = await simulateVisitors(`ws://127.0.0.1:${port}/webchat`);
    const rssMb = process.memoryUsage().rss / 1024 / 1024;
    await deleteQueueKeys(app, environment.config.QUEUE_PREFIX);
    return { result, rssMb };
  } finally {
    await app?.stop();
    await environment.cleanup();
  }
}

/** The run's queues live under their own prefix in the shared Redis: remove them, like the schema. */
async function deleteQueueKeys(app: App, prefix: string): Promise<void> {
  const redis = app.redis.client;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function measureEcho(): Promise<LoadResult> {
  const echo = await startEchoServer();
  try {
    return await simulateVisitors(echo.url);
  } finally {
    await echo.close();
  }
}

function printTable(app: LoadResult, echo: LoadResult, rssMb: number): void {
  const number = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const rows = [
    ['', 'turns', 'failed', 'p50 ms', 'p99 ms', 'turns/s', 'ack p50 ms', 'ack p99 ms'],
    [
      'Clinic Concierge /webchat',
      String(app.turns),
      String(app.failures),
      number(app.p50Ms),
      number(app.p99Ms),
      number(app.turnsPerSecond),
      number(app.ackP50Ms, 2),
      number(app.ackP99Ms, 2),
    ],
    [
      'bare ws echo (baseline)',
      String(echo.turns),
      String(echo.failures),
      number(echo.p50Ms, 2),
      number(echo.p99Ms, 2),
      number(echo.turnsPerSecond),
      number(echo.ackP50Ms, 2),
      number(echo.ackP99Ms, 2),
    ],
    [
      'ratio (app / baseline)',
      '',
      '',
      `${number(app.p50Ms / echo.p50Ms)}x`,
      `${number(app.p99Ms / echo.p99Ms)}x`,
      `${number(app.turnsPerSecond / echo.turnsPerSecond, 3)}x`,
      `${number(app.ackP50Ms / echo.ackP50Ms)}x`,
      `${number(app.ackP99Ms / echo.ackP99Ms)}x`,
    ],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log(
    `\nWeb chat: ${app.visitors} concurrent visitors x ${QUESTIONS_PER_VISITOR} questions over real sockets on 127.0.0.1`,
  );
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    );
  console.log(`process RSS after the app run: ${number(rssMb)} MB (app and simulated visitors share the process)\n`);
}

/** Runs the web chat benchmark, prints a table, and returns its figures. */
export async function runWebchatBench(): Promise<Record<string, number>> {
  const { result: app, rssMb } = await measureApp();
  const echo = await measureEcho();
  printTable(app, echo, rssMb);
  return {
    'webchat.visitors': app.visitors,
    'webchat.turns': app.turns,
    'webchat.failures': app.failures,
    'webchat.p50_ms': app.p50Ms,
    'webchat.p99_ms': app.p99Ms,
    'webchat.ack_p50_ms': app.ackP50Ms,
    'webchat.ack_p99_ms': app.ackP99Ms,
    'webchat.turns_per_s': app.turnsPerSecond,
    'webchat.rss_mb': rssMb,
    'echo.turns': echo.turns,
    'echo.failures': echo.failures,
    'echo.p50_ms': echo.p50Ms,
    'echo.p99_ms': echo.p99Ms,
    'echo.turns_per_s': echo.turnsPerSecond,
    'ratio.p50': app.p50Ms / echo.p50Ms,
    'ratio.p99': app.p99Ms / echo.p99Ms,
    'ratio.turns_per_s': app.turnsPerSecond / echo.turnsPerSecond,
  };
}

if (require.main === module) {
  runWebchatBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
