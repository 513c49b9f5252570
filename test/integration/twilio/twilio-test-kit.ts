/** Shared pieces of the Twilio integration tests: made-up credentials, fixtures, signed posts, a small HTTP app. */
import crypto from 'node:crypto';
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
import { FakeTwilioApi } from '../../fakes/twilio/twilio-api-server';
import { findFreePort } from '../../support/free-port';
import { LogCapture } from '../../support/log-capture';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';

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

/** The headers Twilio sends with a form: its content type and, signed with `twilio.getExpectedTwilioSignature`, the signature. */
export function signedFormHeaders(body: string, options: SignedPostOptions): Record<string, string> {
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
  return headers;
}

/** POSTs a form the way Twilio does, signed. */
export async function postForm(url: string, body: string, options: SignedPostOptions): Promise<Response> {
  return fetch(url, { method: 'POST', headers: signedFormHeaders(body, options), body });
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

/** The fake Twilio API (status callbacks on) and a test environment whose TWILIO_* settings point the product at it. */
export interface TwilioProductSetup {
  readonly twilioApi: FakeTwilioApi;
  readonly environment: TestEnvironment;
  /** The product's PORT, and PUBLIC_URL (`http://127.0.0.1:<port>`), which webhook signatures cover. */
  readonly port: number;
  readonly publicUrl: string;
  cleanup(): Promise<void>;
}

/** A test environment (PORT picked, PUBLIC_URL on it) whose TWILIO_* settings point the product at `apiBaseUrl`. */
export async function createTwilioEnvironment(
  apiBaseUrl: string,
  overrides: Record<string, string> = {},
): Promise<{ environment: TestEnvironment; port: number; publicUrl: string }> {
  const port = await findFreePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const environment = await createTestEnvironment('postgres', {
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_SMS_FROM: PRACTICE_NUMBER,
    TWILIO_API_BASE_URL: apiBaseUrl,
    ...overrides,
  });
  return { environment, port, publicUrl };
}

export async function setUpTwilioProduct(overrides: Record<string, string> = {}): Promise<TwilioProductSetup> {
  const twilioApi = await FakeTwilioApi.start({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    statusCallbacks: true,
  });
  const { environment, port, publicUrl } = await createTwilioEnvironment(twilioApi.baseUrl, overrides);
  return {
    twilioApi,
    environment,
    port,
    publicUrl,
    async cleanup() {
      await environment.cleanup();
      await twilioApi.stop();
    },
  };
}

let inboundCounter = 0;

/** A patient's message (SMS, or WhatsApp for a `whatsapp:` address) as Twilio posts it: URL, signed headers, form. */
export function inboundMessageRequest(
  publicUrl: string,
  from: string,
  body: string,
): { url: string; headers: Record<string, string>; form: string } {
  inboundCounter += 1;
  const sid = `SM${String(inboundCounter).padStart(8, '0')}${crypto.randomBytes(12).toString('hex')}`;
  const fixture = from.startsWith('whatsapp:') ? 'whatsapp-inbound-text.form' : 'sms-inbound.form';
  const url = `${publicUrl}/webhooks/twilio/messaging`;
  const form = encodeForm({
    ...fixtureFields(fixture),
    From: from,
    Body: body,
    MessageSid: sid,
    SmsSid: sid,
    SmsMessageSid: sid,
  });
  return { url, headers: signedFormHeaders(form, { signedUrl: url }), form };
}

/** Posts `inboundMessageRequest`; returns the answer. */
export async function postInboundMessage(publicUrl: string, from: string, body: string): Promise<Response> {
  const { url, headers, form } = inboundMessageRequest(publicUrl, from, body);
  return fetch(url, { method: 'POST', headers, body: form });
}
