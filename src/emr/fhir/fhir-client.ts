/**
 * The few FHIR REST interactions the adapter needs, with errors mapped once: 5xx means the EHR is unavailable (try
 * again later), other failures are refusals. A transaction's refusal comes back as a value, because 409/412 ("someone
 * changed the slot") is an expected answer of booking, not an error.
 */
import type { Bundle, Resource, ResourceType } from '../fhir-types';
import { EmrRequestError, EmrUnavailableError } from '../emr-errors';
import type { FhirExchange, FhirTransport } from './fhir-transport';

export type TransactionResult =
  | { readonly ok: true; readonly bundle: Bundle }
  | { readonly ok: false; readonly status: number; readonly issueCode: string };

export class FhirClient {
  constructor(private readonly transport: FhirTransport) {}

  /** `GET [base]/<type>?<params>`; throws unless the server answers with a Bundle. */
  async search(resourceType: ResourceType, params: URLSearchParams): Promise<Bundle> {
    const operation = `search ${resourceType}`;
    const exchange = await this.transport.request('GET', `${resourceType}?${params.toString()}`);
    const resource = expectOk(operation, exchange);
    if (resource?.resourceType !== 'Bundle') throw new EmrRequestError(operation, 'not-a-bundle');
    return resource;
  }

  /** `GET [base]/<type>/<id>`; undefined when the server has no such resource (404 or 410). */
  async read<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<T | undefined> {
    const exchange = await this.transport.request('GET', `${resourceType}/${encodeURIComponent(id)}`);
    if (exchange.status === 404 || exchange.status === 410) return undefined;
    const resource = expectOk(`read ${resourceType}`, exchange);
    if (resource?.resourceType !== resourceType) throw new EmrRequestError(`read ${resourceType}`, 'wrong-type');
    return resource as T;
  }

  /** `POST [base]` with a transaction bundle: all of it or none of it. */
  async transaction(bundle: Bundle): Promise<TransactionResult> {
    const exchange = await this.transport.request('POST', '', bundle);
    if (exchange.status >= 500) throw new EmrUnavailableError('transaction', 'server-error');
    if (exchange.status >= 400)
      return { ok: false, status: exchange.status, issueCode: issueCodeOf(exchange.resource) };
    if (exchange.resource?.resourceType !== 'Bundle') throw new EmrRequestError('transaction', 'not-a-bundle');
    return { ok: true, bundle: exchange.resource };
  }
}

function expectOk(operation: string, exchange: FhirExchange): Resource | undefined {
  if (exchange.status >= 500) throw new EmrUnavailableError(operation, 'server-error');
  if (exchange.status >= 400) throw new EmrRequestError(operation, issueCodeOf(exchange.resource));
  return exchange.resource;
}

/** The OperationOutcome's first issue code (FHIR's own vocabulary: never free text, which may quote PHI). */
function issueCodeOf(resource: Resource | undefined): string {
  return resource?.resourceType === 'OperationOutcome' ? (resource.issue?.[0]?.code ?? 'unknown') : 'unknown';
}
