/**
 * A FHIR R4 server in memory: Medplum's router over its memory repository, answering the same REST requests a remote
 * server would (searches parsed from real query strings, transactions with If-Match and If-None-Exist). The memory
 * repository does not roll back a failed transaction, so writes run one at a time and a failed one restores the
 * snapshot taken before it: two racing bookings of one slot can never both succeed.
 */
import './websocket-global';
import { getStatus, isOk, normalizeOperationOutcome } from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from '../fhir-types';
import type { FhirExchange, FhirMethod, FhirTransport } from '../fhir/fhir-transport';
import { loadFhirDefinitions } from './fhir-definitions';

/** The repository's private stores, copied for a rollback (the class offers no snapshot of its own). */
interface RepositoryStores {
  resources: Map<string, Map<string, Resource>>;
  history: Map<string, Map<string, Resource[]>>;
}

export class MemoryFhirServer implements FhirTransport {
  readonly repository = new MemoryRepository();
  private readonly router = new FhirRouter();
  private writes: Promise<unknown> = Promise.resolve();

  constructor() {
    loadFhirDefinitions();
  }

  async request(
    method: FhirMethod,
    path: string,
    body?: Resource,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<FhirExchange> {
    if (method === 'GET') return this.route(method, path, body, headers);
    const write = this.writes.then(() => this.writeWithRollback(method, path, body, headers));
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Every resource, for persistence; `restore` takes it back. */
  snapshot(): string {
    return JSON.stringify([...this.stores().resources.values()].flatMap((byId) => [...byId.values()]));
  }

  /** Replaces the content with a snapshot's resources, keeping their ids and versions. */
  async restore(snapshot: string): Promise<void> {
    const resources = JSON.parse(snapshot) as Resource[];
    this.repository.clear();
    await this.repository.withSeeding(async () => {
      for (const resource of resources) await this.repository.createResource(resource, { assignedId: true });
    });
  }

  private async writeWithRollback(
    method: FhirMethod,
    path: string,
    body: Resource | undefined,
    headers: Readonly<Record<string, string>>,
  ): Promise<FhirExchange> {
    const saved = structuredClone(this.stores());
    const exchange = await this.route(method, path, body, headers);
    if (exchange.status >= 400 || isFailedBundle(exchange.resource)) {
      const stores = this.stores();
      stores.resources = saved.resources;
      stores.history = saved.history;
    }
    return exchange;
  }

  private async route(
    method: FhirMethod,
    path: string,
    body: Resource | undefined,
    headers: Readonly<Record<string, string>>,
  ): Promise<FhirExchange> {
    // The router derives pathname and query from `url` and refuses a request that sets `pathname`.
    const request = {
      method,
      url: path,
      pathname: '',
      query: {},
      params: {},
      body,
      headers,
      config: { transactions: true },
    };
    try {
      const [outcome, resource] = await this.router.handleRequest(request, this.repository);
      return { status: getStatus(outcome), resource: isOk(outcome) ? resource : outcome };
    } catch (error) {
      const outcome = normalizeOperationOutcome(error);
      return { status: getStatus(outcome), resource: outcome };
    }
  }

  private stores(): RepositoryStores {
    return this.repository as unknown as RepositoryStores;
  }
}

/** A batch answers 200 with failed entries; a transaction must not keep half of its writes. */
function isFailedBundle(resource: Resource | undefined): boolean {
  if (resource?.resourceType !== 'Bundle' || resource.type !== 'transaction-response') return false;
  return (resource.entry ?? []).some((entry) => !/^2\d\d/.test(entry.response?.status ?? ''));
}
