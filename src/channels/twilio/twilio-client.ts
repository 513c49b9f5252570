/**
 * Builds the real `twilio` SDK client. With `TWILIO_API_BASE_URL` set (a local Twilio-compatible endpoint, such as the
 * test fake), requests go there through the SDK's documented `httpClient` option: a `RequestClient` subclass that
 * rewrites only the origin of each request URI, so authentication, form encoding and error mapping stay the SDK's own.
 * (`edge`/`region` only rename `*.twilio.com` hosts and cannot do this.)
 */
import twilio from 'twilio';
import type SdkRequestClient from 'twilio/lib/base/RequestClient';

export interface TwilioClientSettings {
  readonly accountSid: string;
  readonly authToken: string;
  /** `http(s)://host[:port]`: where every API request goes instead of `*.twilio.com`. Only its origin is used. */
  readonly apiBaseUrl?: string;
  /** Per-request timeout; a timed-out send is reported as transient by the sender. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * A `twilio.RequestClient` that sends every request to another origin, keeping path and query.
 * Never built with `autoRetry`: `messages.create` is not idempotent, and retries are the outbox's decision.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly origin: string;

  constructor(apiBaseUrl: string, options: SdkRequestClient.RequestClientOptions = {}) {
    super({ ...options, autoRetry: false });
    this.origin = new URL(apiBaseUrl).origin;
  }

  override request<TData>(opts: SdkRequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: rewriteOrigin(opts.uri, this.origin) });
  }
}

/** `https://api.twilio.com/2010-04-01/X?y=1` with origin `http://127.0.0.1:4010` → `http://127.0.0.1:4010/2010-04-01/X?y=1`. */
export function rewriteOrigin(uri: string, origin: string): string {
  const original = new URL(uri);
  return `${origin}${original.pathname}${original.search}`;
}

/** The SDK client for one account. */
export function createTwilioClient(settings: TwilioClientSettings): twilio.Twilio {
  const timeout = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return twilio(settings.accountSid, settings.authToken, {
    autoRetry: false,
    timeout,
    // The SDK prints request parameters (bodies, phone numbers) with console.log at `debug`, which TWILIO_LOG_LEVEL
    // in the environment could turn on; pin a level that never logs.
    logLevel: 'info',
    ...(settings.apiBaseUrl ? { httpClient: new BaseUrlRequestClient(settings.apiBaseUrl, { timeout }) } : {}),
  });
}
