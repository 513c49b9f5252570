/**
 * A remote NLU (Dialogflow) with the local engine behind it, so that a conversation never waits on Google: a
 * message the remote engine fails on (an error, its deadline) is understood locally, and after repeated failures a
 * circuit breaker (opossum) sends every message to the local engine for a cool-down, then lets one trial through.
 * Each fallback raises a metric and logs a warning with the reason and gRPC code, never the text.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Language, NluEngine, NluResult, NluSession } from './nlu-engine';

export interface FallbackNluEngineOptions {
  readonly primary: NluEngine;
  readonly fallback: NluEngine;
  /** A guard above the primary's own deadline: a call still pending after this is given up on. */
  readonly timeoutMs: number;
  /** How long the breaker stays open before a trial request. */
  readonly resetTimeoutMs: number;
  readonly metrics: Pick<Metrics, 'nluFallbacks' | 'nluBreakerOpen'>;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
}

type ParseArgs = [text: string, lang: Language | undefined, session: NluSession | undefined];

/** Failures in the rolling window before the breaker may open; fewer are bad luck, not an outage. */
const VOLUME_THRESHOLD = 3;
/**
 * The breaker opens when half the calls of this window failed. Kept short: on a busy day the successes before an
 * outage would otherwise make many patients wait out the deadline before the breaker opens.
 */
const ROLLING_WINDOW_MS = 10_000;

export type FallbackReason = 'timeout' | 'unavailable' | 'error' | 'circuit_open';

export class FallbackNluEngine implements NluEngine {
  readonly name: string;
  private readonly breaker: CircuitBreaker<ParseArgs, NluResult>;

  constructor(private readonly options: FallbackNluEngineOptions) {
    const { primary, metrics, logger } = options;
    this.name = primary.name;
    this.breaker = new CircuitBreaker((...args: ParseArgs) => primary.parse(...args), {
      timeout: options.timeoutMs,
      resetTimeout: options.resetTimeoutMs,
      errorThresholdPercentage: 50,
      volumeThreshold: VOLUME_THRESHOLD,
      rollingCountTimeout: ROLLING_WINDOW_MS,
    });
    metrics.nluBreakerOpen.set({ provider: primary.name }, 0);
    this.breaker.on('open', () => {
      metrics.nluBreakerOpen.set({ provider: primary.name }, 1);
      logger.warn({ provider: primary.name, coolDownMs: options.resetTimeoutMs }, 'NLU provider circuit opened');
    });
    this.breaker.on('close', () => {
      metrics.nluBreakerOpen.set({ provider: primary.name }, 0);
      logger.info({ provider: primary.name }, 'NLU provider circuit closed: back in use');
    });
  }

  /** The local engine learns the published phrases; the remote agent is trained in its own console. */
  async train(): Promise<void> {
    await Promise.all([this.options.primary.train(), this.options.fallback.train()]);
  }

  async parse(text: string, lang?: Language, session?: NluSession): Promise<NluResult> {
    try {
      return await this.breaker.fire(text, lang, session);
    } catch (error) {
      const reason = reasonOf(error);
      const { primary, metrics, logger } = this.options;
      metrics.nluFallbacks.inc({ provider: primary.name, reason });
      logger.warn({ provider: primary.name, reason, code: codeOf(error) }, 'NLU provider failed: understood locally');
      return this.options.fallback.parse(text, lang);
    }
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await Promise.all([this.options.primary.close?.(), this.options.fallback.close?.()]);
  }
}

/** opossum's codes, or gRPC status codes: 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE. */
function reasonOf(error: unknown): FallbackReason {
  const code = codeOf(error);
  if (code === 'EOPENBREAKER') return 'circuit_open';
  if (code === 4 || code === 'ETIMEDOUT') return 'timeout';
  if (code === 14) return 'unavailable';
  return 'error';
}

function codeOf(error: unknown): string | number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}
