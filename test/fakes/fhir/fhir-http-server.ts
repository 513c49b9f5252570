/**
 * A FHIR R4 server on 127.0.0.1 for tests: Medplum's router and memory repository (the same core as the embedded demo,
 * transactions all-or-nothing) behind `node:http`, at `<url>/fhir/R4/`. With `authorize`, every request must carry a
 * bearer token it accepts (401 otherwise), as a SMART-protected EHR does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemoryFhirServer } from '../../../src/emr/demo/memory-fhir-server';
import type { FhirMethod } from '../../../src/emr/fhir/fhir-transport';
import type { Resource } from '../../../src/emr/fhir-types';

const BASE_PATH = '/fhir/R4/';
const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'DELETE'];

export interface FhirHttpServer {
  /** The FHIR base URL, ending in /fhir/R4/. */
  readonly baseUrl: string;
  readonly port: number;
  /** Requests seen, as 'GET Slot?…' lines (for asserting what a client asked). */
  readonly requests: string[];
  stop(): Promise<void>;
}

export interface FhirHttpOptions {
  readonly port?: number;
  readonly authorize?: (token: string) => boolean;
}

export async function startFhirHttpServer(
  fhir: MemoryFhirServer,
  options: FhirHttpOptions = {},
): Promise<FhirHttpServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    void handle(fhir, options, requests, request, response).catch(() => reply(response, 500, outcome('exception')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    port,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  fhir: MemoryFhirServer,
  options: FhirHttpOptions,
  requests: string[],
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const url = request.url ?? '';
  const method = request.method ?? '';
  if (!url.startsWith(BASE_PATH) || !METHODS.includes(method)) return reply(response, 404, outcome('not-found'));
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (options.authorize && (token === undefined || !options.authorize(token))) {
    return reply(response, 401, outcome('login'));
  }
  const path = url.slice(BASE_PATH.length);
  requests.push(`${method} ${path}`);
  const text = await readBody(request);
  let body: Resource | undefined;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as Resource);
  } catch {
    return reply(response, 400, outcome('structure'));
  }
  const headers: Record<string, string> = {};
  for (const name of ['if-match', 'if-none-exist', 'if-none-match']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const exchange = await fhir.request(method as FhirMethod, path, body, headers);
  reply(response, exchange.status, exchange.resource);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: http.ServerResponse, status: number, resource: Resource | undefined): void {
  response.writeHead(status, { 'content-type': 'application/fhir+json' });
  response.end(resource === undefined ? '' : JSON.stringify(resource));
}

function outcome(code: string): Resource {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'not-found' }] };
}
