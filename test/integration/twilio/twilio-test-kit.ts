/** Shared pieces of the Twilio integration tests: made-up credentials, fixtures, signed posts, a small HTTP app. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Router } from 'express';
import twilio from 'twilio';
import type { ProviderStatusSink } from '../../../src/channels/channel-sender';
import { createHttpApp } from '../../../src/http/http-app';
import { type Logger, createLogger } from '../../../src/observability/logger';
import { type Metrics, createMetrics } from '../../../src/observability/metrics';
import { LogCapture } from '../../support/log-capture';

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'made-up-auth-token-for-tests-0001';
export const TEMPLATE_SID = 'HX0123456789abcdef0123456789abcdef';
export const PRACTICE_NUMBER = '+15555550100';
export const PATIENT_NUMBER = '+15555550123';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'twilio');

/** A recorded form body exactly as Twilio posts it. */
export function readFixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** A recorded form body's fields. */
export function fixtureFields(name: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(readFixture(name)));
}

export function encodeForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export interface SignedPostOptions {
  /** The URL Twilio is configured with (what the signature covers): PUBLIC_URL + path and query. */
  readonly signedUrl: string;
  readonly authToken?: string;
  /** Fields to sign, when they differ from what is posted (tampering tests). */
  readonly signedFields?: Record<string, string>;
  /** false: no X-Twilio-Signature header at all. */
  readonly sign?: boolean;
  readonly contentType?: string;
}

/** POSTs a form the way Twilio does, signed with `twilio.getExpectedTwilioSignature`. */
export async function postForm(url: string, body: string, options: SignedPostOptions): Promise<Response> {
  const fields = options.signedFields ?? Object.fromEntries(new URLSearchParams(body));
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
  };
  if (options.sign !== false) {
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(
      options.authToken ?? AUTH_TOKEN,
      options.signedUrl,
      fields,
    );
  }
  return fetch(url, { method: 'POST', headers, body });
}

export interface TestHttpApp {
  readonly baseUrl: string;
  readonly logs: LogCapture;
  readonly logger: Logger;
  readonly metrics: Metrics;
  close(): Promise<void>;
}

/**
 * Our real Express app (request context, 404, error handler) with the given routers, on 127.0.0.1. The routers are
 * built once the address is known, so a test can use it as PUBLIC_URL.
 */
export async function startHttpApp(
  routers: (logger: Logger, metrics: Metrics, baseUrl: string) => Router[],
): Promise<TestHttpApp> {
  const logs = new LogCapture();
  const logger = createLogger('debug', logs);
  const metrics = createMetrics();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  server.on('request', createHttpApp(logger, metrics, routers(logger, metrics, baseUrl)));
  return {
    baseUrl,
    logs,
    logger,
    metrics,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

type StatusUpdate = Parameters<ProviderStatusSink['recordProviderStatus']>[0];

/**
 * Records provider statuses. A test double of our own port, used where the test is about the Twilio edge (signature,
 * parsing, channel detection), not about how the outbox applies statuses.
 */
export class RecordingStatusSink implements ProviderStatusSink {
  readonly updates: StatusUpdate[] = [];
  async recordProviderStatus(update: StatusUpdate): Promise<void> {
    this.updates.push(update);
  }
}
