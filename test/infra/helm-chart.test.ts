/**
 * The Helm chart in infra/helm/clinic-concierge, rendered as `helm template` would (test/support/helm-template-
 * renderer.ts: no Helm binary is installable here), each object checked against the Kubernetes schemas, and the
 * production properties of issue 9 asserted on what the chart actually renders.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  type RenderedManifest,
  type ValueMap,
  chartDefaultValues,
  isValueMap,
  renderChart,
} from '../support/helm-template-renderer';
import { kubernetesSchemaProblems } from '../support/manifest-schemas';

const CHART = path.join(__dirname, '..', '..', 'infra', 'helm', 'clinic-concierge');
const RELEASE = { name: 'concierge', namespace: 'clinic' };
const CI_VALUE_FILES = fs.readdirSync(path.join(CHART, 'ci')).filter((file) => file.endsWith('.yaml'));

function ciValues(file: string): ValueMap {
  const values: unknown = YAML.parse(fs.readFileSync(path.join(CHART, 'ci', file), 'utf8'));
  if (!isValueMap(values)) throw new Error(`ci/${file} is not a map`);
  return values;
}

/** `a.b.0.c` into a parsed document (keys with dots, such as labels, are read with map()); undefined where the path
 * leads nowhere. */
function get(value: unknown, pathText: string): unknown {
  return pathText.split('.').reduce<unknown>((current, key) => {
    if (Array.isArray(current) && /^\d+$/.test(key)) return current[Number(key)];
    return isValueMap(current) ? current[key] : undefined;
  }, value);
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

function map(value: unknown, what: string): ValueMap {
  if (!isValueMap(value)) throw new Error(`${what} is not a map`);
  return value;
}

/** The one rendered object of a kind. */
function only(manifests: readonly RenderedManifest[], kind: string): ValueMap {
  const found = ofKind(manifests, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

function labelOf(document: unknown, label: string): unknown {
  return map(get(document, 'metadata.labels'), 'metadata.labels')[label];
}

function componentOf(document: ValueMap): unknown {
  return labelOf(document, 'app.kubernetes.io/component');
}

function ofKind(manifests: readonly RenderedManifest[], kind: string): ValueMap[] {
  return manifests.filter(({ document }) => document.kind === kind).map(({ document }) => document);
}

function byComponent(manifests: readonly RenderedManifest[], kind: string, component: string): ValueMap {
  const found = ofKind(manifests, kind).filter((document) => componentOf(document) === component);
  if (found.length !== 1) throw new Error(`expected one ${kind} for ${component}, found ${found.length}`);
  return found[0]!;
}

/** The web Service traffic goes to (the other web Service, headless, is for Prometheus). */
function webService(manifests: readonly RenderedManifest[]): ValueMap {
  const found = ofKind(manifests, 'Service').filter(
    (document) => componentOf(document) === 'web' && get(document, 'spec.clusterIP') !== 'None',
  );
  if (found.length !== 1) throw new Error(`expected one web Service for traffic, found ${found.length}`);
  return found[0]!;
}

/** The Service through which Prometheus finds a component's metrics port. */
function metricsService(manifests: readonly RenderedManifest[], component: string): ValueMap {
  const found = ofKind(manifests, 'Service').filter(
    (document) => componentOf(document) === component && get(document, 'spec.ports.0.name') === 'metrics',
  );
  if (found.length !== 1) throw new Error(`expected one metrics Service for ${component}, found ${found.length}`);
  return found[0]!;
}

function containers(podOwner: ValueMap): ValueMap[] {
  return list(get(podOwner, 'spec.template.spec.containers'), 'containers').map((c) => map(c, 'container'));
}

function envValue(container: ValueMap, name: string): unknown {
  const entry = list(container.env, 'env').find((item) => get(item, 'name') === name);
  return get(entry, 'value');
}

/** The container port a probe or Service names, as a number. */
function containerPort(container: ValueMap, port: unknown): unknown {
  if (typeof port === 'number') return port;
  return get(
    list(container.ports, 'ports').find((item) => get(item, 'name') === port),
    'containerPort',
  );
}

function matches(selector: unknown, labels: unknown): boolean {
  const wanted = Object.entries(map(selector, 'selector'));
  const have = map(labels, 'labels');
  return wanted.length > 0 && wanted.every(([key, value]) => have[key] === value);
}

function annotation(document: ValueMap, name: string): unknown {
  return get(document, 'metadata.annotations') === undefined
    ? undefined
    : map(get(document, 'metadata.annotations'), 'annotations')[name];
}

describe('Helm chart: lint', () => {
  it('is a v2 application chart with a semantic version, named after its folder', () => {
    const chart = map(YAML.parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')), 'Chart.yaml');
    expect(chart).toMatchObject({ apiVersion: 'v2', name: path.basename(CHART), type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(typeof chart.appVersion).toBe('string');
    expect(isValueMap(chartDefaultValues(CHART))).toBe(true);
  });

  it.each(CI_VALUE_FILES)('renders ci/%s into objects that pass the Kubernetes schemas', async (file) => {
    const { manifests, notes } = renderChart(CHART, RELEASE, ciValues(file));
    expect(manifests.length).toBeGreaterThan(10);
    const problems = (await Promise.all(manifests.map(({ document }) => kubernetesSchemaProblems(document)))).flat();
    expect(problems).toEqual([]);
    const identities = manifests.map(
      ({ document }) => `${String(document.kind)}/${String(get(document, 'metadata.name'))}`,
    );
    expect(new Set(identities).size).toBe(identities.length);
    for (const { document } of manifests) {
      expect(get(document, 'metadata.name')).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      for (const value of Object.values(map(get(document, 'metadata.labels'), 'labels')))
        expect(String(value)).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/);
    }
    expect(notes).toContain(`${RELEASE.name}-clinic-concierge`);
  });

  it('refuses to render without the settings an install needs, naming them', () => {
    expect(() => renderChart(CHART, RELEASE)).toThrow(/secrets\.PHI_KEYS is required/);
    expect(() => renderChart(CHART, RELEASE, { secrets: { existingSecret: 'managed' } })).toThrow(
      /config\.publicUrl is required/,
    );
  });
});

describe('Helm chart: production properties (ci/required-values.yaml)', () => {
  const values = ciValues('required-values.yaml');
  const { manifests } = renderChart(CHART, RELEASE, values);
  const web = byComponent(manifests, 'Deployment', 'web');
  const worker = byComponent(manifests, 'Deployment', 'worker');
  const job = only(manifests, 'Job');
  const [webContainer] = containers(web);
  const [workerContainer] = containers(worker);
  const podOwners = [web, worker, job];

  it('runs the web and worker processes of the image, probed on /healthz (liveness) and /readyz (readiness)', () => {
    expect(webContainer!.args).toEqual(['web']);
    expect(workerContainer!.args).toEqual(['worker']);
    for (const [container, portVariable] of [
      [webContainer!, 'PORT'],
      [workerContainer!, 'METRICS_PORT'],
    ] as const) {
      expect(get(container, 'livenessProbe.httpGet.path')).toBe('/healthz');
      expect(get(container, 'readinessProbe.httpGet.path')).toBe('/readyz');
      const served = String(envValue(container, portVariable));
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
        expect(String(containerPort(container, get(container, `${probe}.httpGet.port`)))).toBe(served);
    }
  });

  it('gives every container requests and limits and runs it non-root on a read-only root file system', () => {
    for (const owner of podOwners) {
      const pod = map(get(owner, 'spec.template.spec'), 'pod spec');
      expect(get(pod, 'securityContext.runAsNonRoot')).toBe(true);
      expect(get(pod, 'securityContext.seccompProfile.type')).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken).toBe(false);
      const tmpVolume = list(pod.volumes, 'volumes').find((volume) => get(volume, 'name') === 'tmp');
      expect(get(tmpVolume, 'emptyDir')).toBeDefined();
      for (const container of containers(owner)) {
        for (const field of ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'])
          expect(get(container.resources, field)).toBeDefined();
        expect(get(container, 'securityContext')).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(get(container, 'securityContext.runAsUser')).not.toBe(0);
        const tmpMount = list(container.volumeMounts, 'volumeMounts').find((mount) => get(mount, 'name') === 'tmp');
        expect(get(tmpMount, 'mountPath')).toBe('/tmp');
        expect(envValue(container, 'DATA_DIR')).toMatch(/^\/tmp\//);
        expect(envValue(container, 'NODE_ENV')).toBe('production');
      }
    }
  });

  it('autoscales web on CPU and workers on CPU and waiting jobs, leaving the replica count to the autoscalers', () => {
    const webScaler = byComponent(manifests, 'HorizontalPodAutoscaler', 'web');
    const workerScaler = byComponent(manifests, 'HorizontalPodAutoscaler', 'worker');
    expect(get(webScaler, 'spec.scaleTargetRef')).toMatchObject({
      kind: 'Deployment',
      name: get(web, 'metadata.name'),
    });
    expect(get(workerScaler, 'spec.scaleTargetRef')).toMatchObject({
      kind: 'Deployment',
      name: get(worker, 'metadata.name'),
    });
    const metricTypes = (scaler: ValueMap) =>
      list(get(scaler, 'spec.metrics'), 'metrics').map((metric) =>
        get(metric, 'type') === 'Resource'
          ? `Resource/${String(get(metric, 'resource.name'))}`
          : String(get(metric, 'type')),
      );
    expect(metricTypes(webScaler)).toEqual(['Resource/cpu']);
    expect(metricTypes(workerScaler)).toEqual(['Resource/cpu', 'External']);
    const queueMetric = list(get(workerScaler, 'spec.metrics'), 'metrics').find((m) => get(m, 'type') === 'External');
    expect(get(queueMetric, 'external.metric')).toEqual({
      name: 'concierge_queue_jobs',
      selector: { matchLabels: { state: 'waiting' } },
    });
    expect(get(queueMetric, 'external.target.type')).toBe('AverageValue');
    expect(get(web, 'spec.replicas')).toBeUndefined();
    expect(get(worker, 'spec.replicas')).toBeUndefined();
  });

  it('has a disruption budget for the web pods and one for the worker pods', () => {
    for (const deployment of [web, worker]) {
      const budget = byComponent(manifests, 'PodDisruptionBudget', String(componentOf(deployment)));
      expect(matches(get(budget, 'spec.selector.matchLabels'), get(deployment, 'spec.template.metadata.labels'))).toBe(
        true,
      );
      expect(get(budget, 'spec.maxUnavailable') ?? get(budget, 'spec.minAvailable')).toBeDefined();
    }
  });

  it('exposes the web pods through a Service whose selector and target port reach them', () => {
    const service = webService(manifests);
    expect(matches(get(service, 'spec.selector'), get(web, 'spec.template.metadata.labels'))).toBe(true);
    expect(matches(get(service, 'spec.selector'), get(worker, 'spec.template.metadata.labels'))).toBe(false);
    expect(containerPort(webContainer!, get(service, 'spec.ports.0.targetPort'))).toBe(3000);
  });

  it('migrates in a pre-install/pre-upgrade hook Job whose Secret exists before it', () => {
    expect(String(annotation(job, 'helm.sh/hook')).split(',').sort()).toEqual(['pre-install', 'pre-upgrade']);
    const [migrate] = containers(job);
    expect(migrate!.args).toEqual(['concierge', 'migrate']);
    expect(get(job, 'spec.template.spec.restartPolicy')).toBe('Never');
    expect(envValue(migrate!, 'DATABASE_SCHEMA')).toBe(envValue(webContainer!, 'DATABASE_SCHEMA'));
    const secretName = get(migrate, 'envFrom.0.secretRef.name');
    const secret = ofKind(manifests, 'Secret').find((document) => get(document, 'metadata.name') === secretName);
    expect(secret).toBeDefined();
    expect(String(annotation(secret!, 'helm.sh/hook'))).toContain('pre-install');
    expect(Number(annotation(secret!, 'helm.sh/hook-weight'))).toBeLessThan(
      Number(annotation(job, 'helm.sh/hook-weight')),
    );
    const decoded = (key: string) => Buffer.from(String(get(secret, `data.${key}`)), 'base64').toString('utf8');
    expect(decoded('DATABASE_URL')).toBe(get(values, 'secrets.DATABASE_URL'));
    expect(decoded('PHI_KEYS')).toBe(get(values, 'secrets.PHI_KEYS'));
  });

  it('keeps keys and credentials in the Secret, out of pod specs', () => {
    const secret = ofKind(manifests, 'Secret').find((document) => annotation(document, 'helm.sh/hook') === undefined);
    for (const key of ['PHI_KEYS', 'DATABASE_URL', 'REDIS_URL'])
      expect(Buffer.from(String(get(secret, `data.${key}`)), 'base64').toString('utf8')).toBe(
        get(values, `secrets.${key}`),
      );
    for (const deployment of [web, worker]) {
      expect(get(containers(deployment)[0], 'envFrom.0.secretRef.name')).toBe(get(secret, 'metadata.name'));
      const podSpec = JSON.stringify(get(deployment, 'spec.template'));
      for (const key of ['PHI_KEYS', 'DATABASE_URL', 'REDIS_URL'])
        expect(podSpec).not.toContain(String(get(values, `secrets.${key}`)));
    }
  });

  it('drains on shutdown: web sleeps in preStop within its grace period, workers get a minute for a turn', () => {
    const sleep = list(get(webContainer, 'lifecycle.preStop.exec.command'), 'preStop command');
    expect(sleep[0]).toBe('sleep');
    const grace = Number(get(web, 'spec.template.spec.terminationGracePeriodSeconds'));
    expect(Number(sleep[1])).toBeGreaterThan(0);
    expect(Number(sleep[1])).toBeLessThan(grace - 10);
    expect(Number(get(worker, 'spec.template.spec.terminationGracePeriodSeconds'))).toBeGreaterThanOrEqual(60);
  });

  it('annotates pods for Prometheus on the port that serves /metrics (METRICS_PORT, off the public port)', () => {
    for (const [deployment, container] of [
      [web, webContainer!],
      [worker, workerContainer!],
    ] as const) {
      const annotations = map(get(deployment, 'spec.template.metadata.annotations'), 'pod annotations');
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      expect(annotations['prometheus.io/port']).toBe(String(containerPort(container, 'metrics')));
      expect(envValue(container, 'METRICS_PORT')).toBe(annotations['prometheus.io/port']);
    }
    expect(containerPort(webContainer!, 'metrics')).not.toBe(containerPort(webContainer!, 'http'));
  });

  it('isolates pods: web reached from the ingress controller, workers from monitoring only; egress as used', () => {
    const policies = ofKind(manifests, 'NetworkPolicy');
    const policyFor = (owner: ValueMap) => {
      const selecting = policies.filter((policy) =>
        matches(get(policy, 'spec.podSelector.matchLabels'), get(owner, 'spec.template.metadata.labels')),
      );
      expect(selecting).toHaveLength(1);
      expect(get(selecting[0], 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
      return selecting[0]!;
    };
    const sources = (policy: ValueMap) =>
      list(get(policy, 'spec.ingress') ?? [], 'ingress').flatMap((rule) =>
        list(get(rule, 'from'), 'from').map((peer) =>
          String(map(get(peer, 'namespaceSelector.matchLabels'), 'matchLabels')['kubernetes.io/metadata.name']),
        ),
      );
    const egressPorts = (policy: ValueMap) =>
      list(get(policy, 'spec.egress'), 'egress')
        .flatMap((rule) => list(get(rule, 'ports'), 'ports'))
        .map((port) => `${String(get(port, 'protocol'))}/${String(get(port, 'port'))}`)
        .sort();
    expect(sources(policyFor(web)).sort()).toEqual(['ingress-nginx', 'monitoring']);
    expect(sources(policyFor(worker))).toEqual(['monitoring']);
    expect(get(policyFor(worker), 'spec.ingress.0.ports.0.port')).toBe('metrics');
    expect(sources(policyFor(job))).toEqual([]);
    for (const owner of [web, worker])
      expect(egressPorts(policyFor(owner))).toEqual(['TCP/443', 'TCP/53', 'TCP/5432', 'TCP/6379', 'UDP/53']);
    expect(egressPorts(policyFor(job))).toEqual(['TCP/53', 'TCP/5432', 'UDP/53']);
    const https = list(get(policyFor(web), 'spec.egress'), 'egress').find((rule) => get(rule, 'ports.0.port') === 443);
    expect(get(https, 'to.0.ipBlock.except')).toContain('169.254.169.254/32');
  });

  it('rolls the pods when a chart-managed secret changes', () => {
    const checksum = (rendered: readonly RenderedManifest[]) =>
      get(byComponent(rendered, 'Deployment', 'worker'), 'spec.template.metadata.annotations.checksum/secret');
    const rotated = renderChart(CHART, RELEASE, {
      ...values,
      secrets: { ...map(values.secrets, 'secrets'), TWILIO_AUTH_TOKEN: 'rotated' },
    });
    expect(checksum(manifests)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(rotated.manifests)).not.toBe(checksum(manifests));
  });
});

describe('Helm chart: optional parts (ci/full-values.yaml)', () => {
  const values = ciValues('full-values.yaml');
  const { manifests } = renderChart(CHART, RELEASE, values);
  const existingSecret = get(values, 'secrets.existingSecret');

  it('uses an existing Secret everywhere and creates none', () => {
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    for (const owner of [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'Job')])
      expect(get(containers(owner)[0], 'envFrom.0.secretRef.name')).toBe(existingSecret);
    expect(ofKind(manifests, 'ServiceAccount')).toEqual([]);
    expect(get(byComponent(manifests, 'Deployment', 'web'), 'spec.template.spec.serviceAccountName')).toBe(
      get(values, 'serviceAccount.name'),
    );
  });

  it('routes the ingress host to the web Service with TLS', () => {
    const ingress = only(manifests, 'Ingress');
    const service = webService(manifests);
    expect(get(ingress, 'spec.ingressClassName')).toBe('nginx');
    expect(get(ingress, 'spec.rules.0.host')).toBe('chat.example.org');
    expect(get(ingress, 'spec.rules.0.http.paths.0.backend.service')).toEqual({
      name: get(service, 'metadata.name'),
      port: { name: get(service, 'spec.ports.0.name') },
    });
    expect(get(ingress, 'spec.tls.0.secretName')).toBe('chat-example-org-tls');
  });

  it('scrapes web and worker metrics through ServiceMonitors that find their Services', () => {
    for (const component of ['web', 'worker']) {
      const monitor = byComponent(manifests, 'ServiceMonitor', component);
      const service = metricsService(manifests, component);
      expect(matches(get(monitor, 'spec.selector.matchLabels'), get(service, 'metadata.labels'))).toBe(true);
      expect(get(monitor, 'spec.endpoints.0.port')).toBe(get(service, 'spec.ports.0.name'));
      expect(labelOf(monitor, 'release')).toBe('prometheus');
    }
  });

  it('sets replica counts without autoscaling and scales workers on CPU alone without the queue metric', () => {
    expect(get(byComponent(manifests, 'Deployment', 'web'), 'spec.replicas')).toBe(2);
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map(componentOf)).toEqual(['worker']);
    const workerScaler = byComponent(manifests, 'HorizontalPodAutoscaler', 'worker');
    expect(list(get(workerScaler, 'spec.metrics'), 'metrics').map((metric) => get(metric, 'type'))).toEqual([
      'Resource',
    ]);
  });

  it('passes the non-empty config.env settings only, and seeds the demo practice only when asked', () => {
    const web = containers(byComponent(manifests, 'Deployment', 'web'))[0]!;
    expect(envValue(web, 'FHIR_BASE_URL')).toBe('https://fhir.example.org/r4');
    expect(list(web.env, 'env').map((entry) => get(entry, 'name'))).not.toContain('FHIR_TOKEN_URL');
    expect(containers(only(manifests, 'Job'))[0]!.args).toEqual(['concierge', 'migrate']);
    const seeding = renderChart(CHART, RELEASE, { ...values, migration: { seedDemo: true } });
    expect(containers(only(seeding.manifests, 'Job'))[0]!.args).toEqual(['concierge', 'seed-demo']);
  });

  it('adds extra egress rules to web and worker policies', () => {
    for (const component of ['web', 'worker']) {
      const ports = list(get(byComponent(manifests, 'NetworkPolicy', component), 'spec.egress'), 'egress').map((rule) =>
        get(rule, 'ports.0.port'),
      );
      expect(ports).toContain(465);
    }
  });
});
