/**
 * How the FHIR adapter reaches a server: REST requests relative to the base URL. The embedded demo answers them in
 * memory, a real EHR over HTTPS; the adapter cannot tell the two apart, so the demo exercises the real code path.
 */
import type { Resource } from '../fhir-types';

export type FhirMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface FhirExchange {
  readonly status: number;
  /** The resource answered, or an OperationOutcome for an error. */
  readonly resource?: Resource;
}

export interface FhirTransport {
  /**
   * `path` is relative to the base ('Slot?status=free', 'Appointment/123', '' for a transaction). Answers every HTTP
   * status; throws EmrUnavailableError only when no answer came (unreachable, timed out).
   */
  request(
    method: FhirMethod,
    path: string,
    body?: Resource,
    headers?: Readonly<Record<string, string>>,
  ): Promise<FhirExchange>;
}
