/**
 * One open-loop load step: prepared HTTP POSTs sent on a fixed schedule (n requests per second, whatever the server
 * answers), over keep-alive connections, with a bounded number in flight. A request due while `maxInFlight` are
 * outstanding is not sent and counts as shed: the server is not keeping up. Bounded in count (the prepared requests)
 * and in time (a timeout per request, then a drain deadline after the last send that aborts what is left).
 *
 * Runs wherever it is called: in a worker thread for the ingest benchmark, in the main thread for the end-to-end one.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** A request ready to send: body and headers (content-length is added here). */
export interface PreparedRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface OpenLoopStep {
  /** Full URL; only http on 127.0.0.1 is expected. */
  readonly url: string;
  readonly requestsPerSecond: number;
  /** One per scheduled send, in order: their number sets the step's length. */
  readonly requests: readonly PreparedRequest[];
  readonly maxInFlight: number;
  readonly requestTimeoutMs: number;
  /** After the last scheduled send, how long outstanding requests may take before they are aborted. */
  readonly drainTimeoutMs: number;
}

export interface OpenLoopOutcome {
  readonly requestsPerSecond: number;
  readonly scheduled: number;
  readonly sent: number;
  /** 2xx answers. */
  readonly ok: number;
  /** Non-2xx answers, network errors, timeouts. */
  readonly failed: number;
  /** Not sent because `maxInFlight` requests were outstanding. */
  readonly shed: number;
  /** Send → end of a 2xx answer, in arrival order. */
  readonly latenciesMs: number[];
  /** First send → last completion. */
  readonly elapsedMs: number;
  /** How late the generator was, at worst, against its schedule (its own overhead). */
  readonly maxSendLagMs: number;
  /** Failures by kind: "HTTP 503", "ECONNRESET", "timeout". */
  readonly failures: Record<string, number>;
}

/** Observers for callers that time more than the acknowledgement (the end-to-end benchmark). */
export interface OpenLoopHooks {
  onSent?(index: number, at: number): void;
}

/** Runs the step to the end (every request answered, failed, shed or aborted) and tallies it. */
export function runOpenLoopStep(step: OpenLoopStep, hooks: OpenLoopHooks = {}): Promise<OpenLoopOutcome> {
  return new OpenLoopRun(step, hooks).run();
}

class OpenLoopRun {
  private readonly target: URL;
  private readonly agent: http.Agent;
  private readonly intervalMs: number;
  private readonly outstanding = new Set<http.ClientRequest>();
  private readonly latenciesMs: number[] = [];
  private readonly failures: Record<string, number> = {};
  private scheduled = 0;
  private sent = 0;
  private ok = 0;
  private failed = 0;
  private shed = 0;
  private maxSendLagMs = 0;
  private startedAt = 0;
  private lastCompletionAt = 0;
  private drainTimer?: NodeJS.Timeout;
  private finish?: () => void;

  constructor(
    private readonly step: OpenLoopStep,
    private readonly hooks: OpenLoopHooks,
  ) {
    this.target = new URL(step.url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: step.maxInFlight });
    this.intervalMs = 1000 / step.requestsPerSecond;
  }

  async run(): Promise<OpenLoopOutcome> {
    const finished = new Promise<void>((resolve) => (this.finish = resolve));
    this.startedAt = performance.now();
    this.lastCompletionAt = this.startedAt;
    this.tick();
    await finished;
    clearTimeout(this.drainTimer);
    this.agent.destroy();
    return this.outcome();
  }

  /** Sends every request that is due by now, then sleeps a millisecond (or starts draining). */
  private readonly tick = (): void => {
    const now = performance.now();
    const total = this.step.requests.length;
    const due = Math.min(total, Math.floor((now - this.startedAt) / this.intervalMs) + 1);
    for (; this.scheduled < due; this.scheduled += 1) {
      this.maxSendLagMs = Math.max(this.maxSendLagMs, now - (this.startedAt + this.scheduled * this.intervalMs));
      if (this.outstanding.size >= this.step.maxInFlight) this.shed += 1;
      else this.send(this.scheduled);
    }
    if (this.scheduled < total) setTimeout(this.tick, 1);
    else this.startDraining();
  };

  private send(index: number): void {
    const prepared = this.step.requests[index]!;
    const sentAt = performance.now();
    const request = http.request({
      agent: this.agent,
      method: 'POST',
      host: this.target.hostname,
      port: this.target.port,
      path: `${this.target.pathname}${this.target.search}`,
      headers: { ...prepared.headers, 'content-length': Buffer.byteLength(prepared.body) },
    });
    let settled = false;
    const settle = (failure?: string) => {
      if (settled) return;
      settled = true;
      this.complete(request, sentAt, failure);
    };
    request.setTimeout(this.step.requestTimeoutMs, () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    // A fallback: a request that closes without an answer or an error event still completes.
    request.on('close', () => settle('closed without an answer'));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      response.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
      response.on('end', () => settle(status >= 200 && status < 300 ? undefined : `HTTP ${status}`));
      response.resume();
    });
    this.outstanding.add(request);
    this.sent += 1;
    this.hooks.onSent?.(index, sentAt);
    request.end(prepared.body);
  }

  private complete(request: http.ClientRequest, sentAt: number, failure: string | undefined): void {
    this.outstanding.delete(request);
    this.lastCompletionAt = performance.now();
    if (failure === undefined) {
      this.ok += 1;
      this.latenciesMs.push(this.lastCompletionAt - sentAt);
    } else {
      this.failed += 1;
      this.failures[failure] = (this.failures[failure] ?? 0) + 1;
    }
    if (this.scheduled === this.step.requests.length && this.outstanding.size === 0) this.finish?.();
  }

  /** Everything is scheduled: finish when the last answer is in, or abort what is left at the deadline. */
  private startDraining(): void {
    if (this.outstanding.size === 0) {
      this.finish?.();
      return;
    }
    this.drainTimer = setTimeout(() => {
      for (const request of [...this.outstanding]) request.destroy(new Error('drain deadline'));
    }, this.step.drainTimeoutMs);
  }

  private outcome(): OpenLoopOutcome {
    return {
      requestsPerSecond: this.step.requestsPerSecond,
      scheduled: this.scheduled,
      sent: this.sent,
      ok: this.ok,
      failed: this.failed,
      shed: this.shed,
      latenciesMs: this.latenciesMs,
      elapsedMs: this.lastCompletionAt - this.startedAt,
      maxSendLagMs: this.maxSendLagMs,
      failures: this.failures,
    };
  }
}
