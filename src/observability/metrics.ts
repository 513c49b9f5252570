/** Prometheus metrics, in a registry per app instance (no global state for tests to reset). Labels never carry PHI. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly turns: Counter<'outcome'>;
  readonly turnDuration: Histogram;
  readonly nluDuration: Histogram;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly errors: Counter<'kind'>;
  readonly sends: Counter<'channel' | 'status'>;
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly webchatSockets: Gauge;
  readonly handoffs: Counter<'department' | 'reason'>;
  readonly slaBreaches: Counter<'department'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'concierge_process_' });
  return {
    registry,
    turns: new Counter({ name: 'concierge_turns_total', help: 'Conversation turns by outcome', labelNames: ['outcome'], registers: [registry] }),
    turnDuration: new Histogram({
      name: 'concierge_turn_duration_seconds',
      help: 'Time to process one inbound message',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    nluDuration: new Histogram({
      name: 'concierge_nlu_duration_seconds',
      help: 'NLU parse latency',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'concierge_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [registry] }),
    errors: new Counter({ name: 'concierge_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers: [registry] }),
    sends: new Counter({ name: 'concierge_sends_total', help: 'Outbound sends by channel and status', labelNames: ['channel', 'status'], registers: [registry] }),
    httpRequests: new Counter({ name: 'concierge_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    webchatSockets: new Gauge({ name: 'concierge_webchat_sockets', help: 'Open web chat sockets', registers: [registry] }),
    handoffs: new Counter({ name: 'concierge_handoffs_total', help: 'Conversations handed to staff by department and reason', labelNames: ['department', 'reason'], registers: [registry] }),
    slaBreaches: new Counter({ name: 'concierge_handoff_sla_breaches_total', help: 'Waiting items re-escalated past their reply target', labelNames: ['department'], registers: [registry] }),
  };
}
