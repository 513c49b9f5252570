/**
 * A FHIR R4 server inside the process: Medplum's router over its memory repository. Reads go through the router,
 * not the repository, so searches are parsed from real query strings with FHIR semantics, as a remote server would.
 */
import './websocket-global';
import { isOk } from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, ResourceType } from '../fhir-types';
import { EmrRequestError } from '../emr-errors';
import { loadFhirDefinitions } from './fhir-definitions';

export class InProcessFhirServer {
  readonly repository: MemoryRepository;
  private readonly router: FhirRouter;

  constructor() {
    loadFhirDefinitions();
    this.repository = new MemoryRepository();
    this.router = new FhirRouter();
  }

  /** `GET [base]/<type>?<params>`; throws EmrRequestError unless the server answers with a Bundle. */
  async search(resourceType: ResourceType, params: URLSearchParams): Promise<Bundle> {
    // The router derives pathname and query from `url` and refuses a request that sets `pathname`.
    const request = {
      method: 'GET' as const,
      url: `${resourceType}?${params.toString()}`,
      pathname: '',
      query: {},
      params: {},
      body: undefined,
    };
    const [outcome, resource] = await this.router.handleRequest(request, this.repository);
    if (!isOk(outcome)) throw new EmrRequestError(`search ${resourceType}`, outcome.issue?.[0]?.code ?? 'unknown');
    if (resource?.resourceType !== 'Bundle') throw new EmrRequestError(`search ${resourceType}`, 'not-a-bundle');
    return resource;
  }
}
