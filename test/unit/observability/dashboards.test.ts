/**
 * The Grafana dashboard and the Prometheus alert rules in infra/grafana speak of metrics that exist (issue 9): every
 * series they query is one our registry exports, with label names it has, and they cover what operators are asked
 * to watch (queue age, send failures, webhook 5xx, dead letters).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createMetrics } from '../../../src/observability/metrics';

const GRAFANA = path.resolve(__dirname, '..', '..', '..', 'infra', 'grafana');
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];
/** Labels Prometheus adds when it scrapes (target and Kubernetes metadata), plus `le` on histogram buckets. */
const SCRAPE_LABELS = new Set(['job', 'instance', 'pod', 'namespace', 'le']);

const registry = createMetrics().registry;

/** Exported series names (histograms as their three series) with the labels each may carry. */
function exportedSeries(): Map<string, readonly string[]> {
  const exported = new Map<string, readonly string[]>();
  for (const metric of registry.getMetricsAsArray()) {
    const labels = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    const { name } = metric as unknown as { name: string };
    const isHistogram = (metric as unknown as { type?: string }).type === 'histogram';
    for (const series of isHistogram ? HISTOGRAM_SUFFIXES.map((suffix) => name + suffix) : [name])
      exported.set(series, labels);
  }
  return exported;
}

interface Selector {
  readonly metric: string;
  readonly labels: string[];
}

/** Each `concierge_*` series an expression reads, with the label names its selector and `by (…)` clauses use. */
function selectorsIn(expr: string): Selector[] {
  const selectors: Selector[] = [];
  for (const match of expr.matchAll(/\b(concierge_[a-z0-9_]+)(\{([^}]*)\})?/g)) {
    const labels = [...(match[3] ?? '').matchAll(/([a-z_]+)\s*(=~|!=|!~|=)/g)].map((label) => label[1]!);
    selectors.push({ metric: match[1]!, labels });
  }
  const grouped = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((clause) =>
    clause[1]!.split(',').map((l) => l.trim()),
  );
  return selectors.map((selector) => ({ ...selector, labels: [...selector.labels, ...grouped] }));
}

function problemsOf(expressions: readonly string[]): string[] {
  const exported = exportedSeries();
  const problems: string[] = [];
  for (const expr of expressions) {
    for (const { metric, labels } of selectorsIn(expr)) {
      const known = exported.get(metric);
      if (!known) {
        problems.push(`${metric}: not exported`);
        continue;
      }
      for (const label of labels) {
        if (!known.includes(label) && !SCRAPE_LABELS.has(label)) problems.push(`${metric}: no label ${label}`);
      }
    }
  }
  return problems;
}

const dashboard = JSON.parse(fs.readFileSync(path.join(GRAFANA, 'clinic-concierge-dashboard.json'), 'utf8')) as {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
};
const dashboardExpressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

const rules = parse(fs.readFileSync(path.join(GRAFANA, 'alert-rules.yml'), 'utf8')) as {
  groups: Array<{
    name: string;
    rules: Array<{ alert: string; expr: string; labels?: { severity?: string }; annotations?: { summary?: string } }>;
  }>;
};
const alerts = rules.groups.flatMap((group) => group.rules);

test('every dashboard query reads exported series by labels they have', () => {
  expect(dashboardExpressions.length).toBeGreaterThan(10);
  expect(problemsOf(dashboardExpressions)).toEqual([]);
});

test('the dashboard shows each area operators are asked to watch', () => {
  const queried = new Set(dashboardExpressions.flatMap((expr) => selectorsIn(expr).map((selector) => selector.metric)));
  for (const metric of [
    'concierge_http_requests_total',
    'concierge_webhooks_total',
    'concierge_queue_jobs',
    'concierge_queue_oldest_waiting_seconds',
    'concierge_turn_duration_seconds_bucket',
    'concierge_nlu_duration_seconds_bucket',
    'concierge_nlu_fallbacks_total',
    'concierge_sends_total',
    'concierge_handoffs_waiting',
    'concierge_handoff_sla_breaches_total',
    'concierge_outbound_dead_letters',
  ])
    expect({ metric, queried: queried.has(metric) }).toEqual({ metric, queried: true });
});

test('alert rules are well formed, read exported series, and cover queue age, send failures, webhook 5xx and dead letters', () => {
  expect(problemsOf(alerts.map((rule) => rule.expr))).toEqual([]);
  for (const rule of alerts) {
    expect({ alert: rule.alert, severity: rule.labels?.severity, summary: typeof rule.annotations?.summary }).toEqual({
      alert: rule.alert,
      severity: expect.stringMatching(/^(warning|critical)$/),
      summary: 'string',
    });
  }
  expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
  const covering = (pattern: RegExp) => alerts.filter((rule) => pattern.test(rule.expr)).map((rule) => rule.alert);
  expect(covering(/concierge_queue_oldest_waiting_seconds/)).not.toEqual([]);
  expect(covering(/concierge_sends_total\{status="failed"\}/)).not.toEqual([]);
  expect(covering(/concierge_webhooks_total\{outcome=~"error\|unavailable"\}/)).not.toEqual([]);
  expect(covering(/concierge_outbound_dead_letters/)).not.toEqual([]);
});

test('a query naming a metric or label that does not exist is caught', () => {
  expect(
    problemsOf(['sum by (queue) (concierge_queue_depth_total)', 'sum by (provider) (concierge_turns_total)']),
  ).toEqual(['concierge_queue_depth_total: not exported', 'concierge_turns_total: no label provider']);
});
