/**
 * FHIR REST over HTTP(S) to a practice's EHR, with a bearer token when the server needs one (SMART Backend Services).
 * No answer (refused, reset, timed out) becomes EmrUnavailableError; every HTTP answer is passed on as it came.
 */
import type { Resource } from '../fhir-types';
import { EmrUnavailableError } from '../emr-errors';
import type { FhirExchange, FhirMethod, FhirTransport } from './fhir-transport';

/** Where bearer tokens come from; `invalidate` after a 401 so the next request fetches a fresh one. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  invalidate(): void;
}

export interface HttpFhirOptions {
  readonly baseUrl: string;
  readonly auth?: AccessTokenSource;
  /** Per request; an EHR slower than this is treated as unavailable (default 10 s). */
  readonly timeoutMs?: number;
}

const FHIR_JSON = 'application/fhir+json';

export class HttpFhirTransport implements FhirTransport {
  private readonly base: string;

  constructor(private readonly options: HttpFhirOptions) {
    this.base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  }

  async request(
    method: FhirMethod,
    path: string,
    body?: Resource,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<FhirExchange> {
    const first = await this.send(method, path, body, headers);
    if (first.status !== 401 || !this.options.auth) return first;
    // The token may have been revoked or rotated early: one fresh token, one more try.
    this.options.auth.invalidate();
    return this.send(method, path, body, headers);
  }

  private async send(
    method: FhirMethod,
    path: string,
    body: Resource | undefined,
    headers: Readonly<Record<string, string>>,
  ): Promise<FhirExchange> {
    const operation = `${method} ${path.split(/[/?]/)[0] || 'transaction'}`;
    const sent: Record<string, string> = { accept: FHIR_JSON, ...headers };
    if (body !== undefined) sent['content-type'] = FHIR_JSON;
    if (this.options.auth) sent.authorization = `Bearer ${await this.options.auth.accessToken()}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.base), {
        method,
        headers: sent,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new EmrUnavailableError(operation, timedOut ? 'timeout' : 'unreachable');
    }
    const text = await response.text().catch(() => '');
    return { status: response.status, resource: parseResource(text) };
  }
}

function parseResource(text: string): Resource | undefined {
  if (text === '') return undefined;
  try {
    const parsed = JSON.parse(text) as { resourceType?: unknown };
    return typeof parsed.resourceType === 'string' ? (parsed as Resource) : undefined;
  } catch {
    return undefined;
  }
}
