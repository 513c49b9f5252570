/** Prometheus metrics, in a registry per app instance (no global state for tests to reset). Labels never carry PHI. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly turns: Counter<'outcome'>;
  readonly turnDuration: Histogram;
  readonly nluDuration: Histogram;
  readonly nluFallbacks: Counter<'provider' | 'reason'>;
  readonly nluBreakerOpen: Gauge<'provider'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly queueOldestWaiting: Gauge<'queue'>;
  readonly errors: Counter<'kind'>;
  readonly sends: Counter<'channel' | 'status'>;
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly httpDuration: Histogram<'route'>;
  readonly webhooks: Counter<'provider' | 'outcome'>;
  readonly webchatSockets: Gauge;
  readonly handoffs: Counter<'department' | 'reason'>;
  readonly slaBreaches: Counter<'department'>;
  readonly handoffsWaiting: Gauge<'department'>;
  readonly deadLetters: Gauge<'channel'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'concierge_process_' });
  return {
    registry,
    turns: new Counter({
      name: 'concierge_turns_total',
      help: 'Conversation turns by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    turnDuration: new Histogram({
      name: 'concierge_turn_duration_seconds',
      help: 'Time to process one inbound message',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    nluDuration: new Histogram({
      name: 'concierge_nlu_duration_seconds',
      help: 'NLU parse latency',
      // Microseconds locally; Dialogflow takes a network round trip, up to its deadline.
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
    nluFallbacks: new Counter({
      name: 'concierge_nlu_fallbacks_total',
      help: 'Messages the local NLU understood because the configured provider failed, by provider and reason',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    }),
    nluBreakerOpen: new Gauge({
      name: 'concierge_nlu_breaker_open',
      help: '1 while the circuit breaker keeps the NLU provider out (cool-down), else 0',
      labelNames: ['provider'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'concierge_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    queueOldestWaiting: new Gauge({
      name: 'concierge_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting for a worker, per queue (0 when none waits)',
      labelNames: ['queue'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'concierge_errors_total',
      help: 'Errors by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    sends: new Counter({
      name: 'concierge_sends_total',
      help: 'Outbound sends by channel and status',
      labelNames: ['channel', 'status'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'concierge_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'concierge_http_request_duration_seconds',
      help: 'HTTP response time by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'concierge_webhooks_total',
      help: 'Provider webhook deliveries by provider and outcome (accepted, forbidden, malformed, too_large, unavailable, error)',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    webchatSockets: new Gauge({
      name: 'concierge_webchat_sockets',
      help: 'Open web chat sockets',
      registers: [registry],
    }),
    handoffs: new Counter({
      name: 'concierge_handoffs_total',
      help: 'Conversations handed to staff by department and reason',
      labelNames: ['department', 'reason'],
      registers: [registry],
    }),
    slaBreaches: new Counter({
      name: 'concierge_handoff_sla_breaches_total',
      help: 'Waiting items re-escalated past their reply target',
      labelNames: ['department'],
      registers: [registry],
    }),
    handoffsWaiting: new Gauge({
      name: 'concierge_handoffs_waiting',
      help: 'Conversations waiting for a staff member, by department',
      labelNames: ['department'],
      registers: [registry],
    }),
    deadLetters: new Gauge({
      name: 'concierge_outbound_dead_letters',
      help: 'Outbound messages given up on (retries exhausted or no sender), by channel, until resent',
      labelNames: ['channel'],
      registers: [registry],
    }),
  };
}
