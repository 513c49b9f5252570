/**
 * Starts the external FHIR R4 server process (external-fhir-server-main.ts) for a test and controls it: down/up
 * simulate an outage (the data survives), stop ends it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { waitFor } from '../../support/wait-for';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface ExternalFhirServer {
  readonly fhirBaseUrl: string;
  readonly tokenUrl?: string;
  /** The endpoint stops answering (connection refused) until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export interface ExternalFhirOptions {
  readonly now: Date;
  readonly timeZone?: string;
  /** Require SMART Backend Services tokens for this client (its public key). */
  readonly client?: { readonly id: string; readonly publicJwk: JWK };
}

export async function startExternalFhirServer(options: ExternalFhirOptions): Promise<ExternalFhirServer> {
  // `node --import tsx` rather than the tsx CLI: the CLI runs a second process and would not pass SIGUSR1/2 on.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'external-fhir-server-main.ts')], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      FAKE_FHIR_NOW: options.now.toISOString(),
      FAKE_FHIR_TIME_ZONE: options.timeZone ?? 'America/New_York',
      ...(options.client
        ? { FAKE_FHIR_CLIENT_ID: options.client.id, FAKE_FHIR_CLIENT_JWK: JSON.stringify(options.client.publicJwk) }
        : {}),
    },
  });
  const { fhirBaseUrl, tokenUrl } = await firstLine(child);
  const reachable = async () =>
    fetch(`${fhirBaseUrl}metadata`).then(
      () => true,
      () => false,
    );
  return {
    fhirBaseUrl,
    ...(tokenUrl ? { tokenUrl } : {}),
    async down() {
      child.kill('SIGUSR1');
      await waitFor(async () => !(await reachable()), 15_000, 'the FHIR server to go down');
    },
    async up() {
      child.kill('SIGUSR2');
      await waitFor(reachable, 15_000, 'the FHIR server to come back');
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function firstLine(child: ChildProcess): Promise<{ fhirBaseUrl: string; tokenUrl?: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolve(JSON.parse(line) as { fhirBaseUrl: string; tokenUrl?: string });
    });
    child.once('exit', (code) => reject(new Error(`FHIR server exited (${code}): ${errors.slice(-2000)}`)));
  });
}
