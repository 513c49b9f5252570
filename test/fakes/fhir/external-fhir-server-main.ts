/**
 * An external FHIR R4 EHR for tests, as its own process (`tsx external-fhir-server-main.ts`): the demo seed placed
 * relative to FAKE_FHIR_NOW in FAKE_FHIR_TIME_ZONE, served on 127.0.0.1. With FAKE_FHIR_CLIENT_ID and
 * FAKE_FHIR_CLIENT_JWK (a public JWK) it also runs a SMART token endpoint and refuses requests without its tokens.
 * SIGUSR1 takes the FHIR endpoint down (connections refused) and SIGUSR2 brings it back on the same port with the
 * same data: an EHR outage without losing its state. Prints one JSON line: {fhirBaseUrl, tokenUrl?}.
 */
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { createSeededFhirServer } from '../../../src/emr/demo/demo-emr';
import { startSmartTokenServer } from '../smart-token-server';
import { type FhirHttpServer, startFhirHttpServer } from './fhir-http-server';

async function main(): Promise<void> {
  const now = new Date(process.env.FAKE_FHIR_NOW ?? Date.now());
  const fhir = await createSeededFhirServer(now, process.env.FAKE_FHIR_TIME_ZONE ?? 'America/New_York');
  const clientId = process.env.FAKE_FHIR_CLIENT_ID;
  const clientJwk = process.env.FAKE_FHIR_CLIENT_JWK;
  const tokens =
    clientId && clientJwk
      ? await startSmartTokenServer({ clients: { [clientId]: JSON.parse(clientJwk) as JWK } })
      : undefined;
  const options = tokens ? { authorize: (token: string) => tokens.isValidToken(token) } : {};
  let http: FhirHttpServer | undefined = await startFhirHttpServer(fhir, options);
  const port = http.port;
  let stopped: Promise<void> = Promise.resolve();
  process.on('SIGUSR1', () => {
    stopped = http?.stop() ?? stopped;
    http = undefined;
  });
  process.on('SIGUSR2', () => {
    if (http) return;
    // The port is free only once the old listener has fully closed.
    void stopped
      .then(() => startFhirHttpServer(fhir, { ...options, port }))
      .then((server) => (http = server))
      .catch((error: unknown) => process.stderr.write(`could not listen again: ${String(error)}\n`));
  });
  process.on('SIGTERM', () => process.exit(0));
  // While the endpoint is down nothing else keeps the process alive.
  setInterval(() => undefined, 60_000);
  process.stdout.write(`${JSON.stringify({ fhirBaseUrl: http.baseUrl, tokenUrl: tokens?.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
