/**
 * The `SessionsClient` of `@google-cloud/dialogflow`, set up from configuration. Credentials come from the standard
 * Google environment (`GOOGLE_APPLICATION_CREDENTIALS`, workload identity) unless a service-account key is given.
 * An endpoint on this machine (127.0.0.1, ::1, localhost) is treated like Google's emulators are: plain gRPC without
 * Google credentials, as nothing leaves the machine; every other endpoint gets TLS and real credentials.
 */
import * as grpc from '@grpc/grpc-js';
import { SessionsClient } from '@google-cloud/dialogflow';
import { PassThroughClient } from 'google-auth-library';
import { DIALOGFLOW_ENDPOINT_PATTERN } from '../../config';

export const DEFAULT_DIALOGFLOW_HOST = 'dialogflow.googleapis.com';
const TLS_PORT = 443;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * gRPC waits up to 2 minutes between attempts to reach a server that went away, and fails calls at once meanwhile;
 * a few seconds let the circuit breaker's trial after its cool-down find Dialogflow back.
 */
const RECONNECT_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 5000 };

export interface SessionsClientSettings {
  /** `host` or `host:port` (default Dialogflow's global endpoint, port 443). */
  readonly apiEndpoint?: string;
  /** A service-account key; without it the standard Google environment is used. */
  readonly credentials?: { readonly client_email: string; readonly private_key: string };
}

export function createSessionsClient(settings: SessionsClientSettings): SessionsClient {
  const { host, port } = parseEndpoint(settings.apiEndpoint ?? DEFAULT_DIALOGFLOW_HOST);
  if (LOOPBACK_HOSTS.has(host)) {
    return new SessionsClient({
      apiEndpoint: host,
      port,
      sslCreds: grpc.credentials.createInsecure(),
      authClient: new PassThroughClient(),
      ...RECONNECT_OPTIONS,
    });
  }
  const { credentials } = settings;
  return new SessionsClient({ apiEndpoint: host, port, ...(credentials ? { credentials } : {}), ...RECONNECT_OPTIONS });
}

/** `host[:port]`; the client needs them apart (given `host:port` it appends `:443`). */
export function parseEndpoint(endpoint: string): { host: string; port: number } {
  const match = DIALOGFLOW_ENDPOINT_PATTERN.exec(endpoint.trim());
  if (!match) throw new Error(`the Dialogflow endpoint '${endpoint}' is not host or host:port`);
  return { host: match[1]!, port: match[2] === undefined ? TLS_PORT : Number(match[2]) };
}
