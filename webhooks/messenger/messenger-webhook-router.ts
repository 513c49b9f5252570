/**
 * The Messenger edge: `GET /webhooks/messenger` answers Meta's subscription handshake; `POST /webhooks/messenger`
 * authenticates (`X-Hub-Signature-256` over the raw bytes) → parses (zod) → stores each patient message once per
 * `mid` and enqueues it → acknowledges with 200 `EVENT_RECEIVED`. Echoes, deliveries and reads never reach the bot.
 * `standby` events (handover protocol: another app owns the thread) are stored once per `mid` for the transcript,
 * already processed and not enqueued, so the bot never answers them.
 * Errors go to the app's error handler: missing signature 400, wrong 403, malformed 400, too large 413, a body for
 * an object other than `page` 404 (what Meta's own webhook example answers), database down 503 (Meta retries).
 *
 * Mount it before any JSON body parser: the signature is over the bytes as received.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { ProviderStatusSink } from '../../src/channels/channel-sender';
import type { IngestService } from '../../src/conversation/ingest-service';
import { AppError, NotFoundError, ValidationError } from '../../src/errors';
import type { Logger } from '../../src/observability/logger';
import type { Metrics } from '../../src/observability/metrics';
import { type MessengerEvent, collectMessengerEvents, parseMessengerBody } from './messenger-events';
import { SIGNATURE_HEADER, checkMessengerSignature } from './messenger-signature';

export const MESSENGER_WEBHOOK_PATH = '/webhooks/messenger';
/** Meta's batches are small; anything near this is not from Meta. */
export const MAX_BODY_SIZE = '1mb';
const ACKNOWLEDGEMENT = 'EVENT_RECEIVED';

export interface MessengerWebhookDeps {
  appSecret: string;
  verifyToken: string;
  ingest: Pick<IngestService, 'acceptFrom'>;
  statuses: ProviderStatusSink;
  practiceId: () => string;
  logger: Logger;
  metrics?: Metrics;
}

/** What one POST contained, for the log line (counts only, never ids or text). */
interface BatchSummary {
  messages: number;
  duplicates: number;
  standby: number;
  echoes: number;
  deliveredMids: number;
  /** Read watermarks cannot be mapped to our messages without storing Meta's timestamps: counted, not recorded. */
  readWatermarks: number;
  ignored: number;
}

export function createMessengerWebhookRouter(deps: MessengerWebhookDeps): Router {
  if (deps.appSecret === '' || deps.verifyToken === '')
    throw new Error('Messenger webhook needs an app secret and a verify token');
  const router = express.Router();
  router.get(MESSENGER_WEBHOOK_PATH, (req, res) => answerVerification(req, res, deps.verifyToken));
  // Any content type: the bytes are verified before anything interprets them.
  router.post(MESSENGER_WEBHOOK_PATH, express.raw({ type: () => true, limit: MAX_BODY_SIZE }), (req, res) =>
    receiveBatch(req, res, deps),
  );
  return router;
}

/** Meta's handshake: `hub.mode=subscribe` with our verify token → the raw `hub.challenge`; anything else → 403. */
function answerVerification(req: Request, res: Response, verifyToken: string): void {
  // Read from the URL itself so the app's query-parser setting cannot change what `hub.mode` means.
  const query = new URL(req.originalUrl, 'http://localhost').searchParams;
  const token = query.get('hub.verify_token');
  if (query.get('hub.mode') !== 'subscribe' || token === null || !sameSecret(token, verifyToken)) {
    throw new AppError('forbidden', 403, 'verification token or mode does not match');
  }
  const challenge = query.get('hub.challenge');
  if (!challenge) throw new ValidationError('hub.challenge is required');
  res.status(200).type('text/plain').set('x-content-type-options', 'nosniff').send(challenge);
}

async function receiveBatch(req: Request, res: Response, deps: MessengerWebhookDeps): Promise<void> {
  const rawBody = rawBodyOf(req);
  const signature = checkMessengerSignature(rawBody, req.get(SIGNATURE_HEADER), deps.appSecret);
  if (signature === 'missing') throw new AppError('missing_signature', 400, 'X-Hub-Signature-256 header is required');
  if (signature === 'mismatch') {
    deps.metrics?.errors.inc({ kind: 'messenger_signature' });
    throw new AppError('invalid_signature', 403, 'X-Hub-Signature-256 does not match the body');
  }
  const parsed = parseMessengerBody(rawBody);
  if (parsed.kind === 'malformed') throw new ValidationError(parsed.reason);
  if (parsed.kind === 'other_object') throw new NotFoundError('only page subscriptions are handled here');
  const summary = await dispatchBatch(collectMessengerEvents(parsed.batch), deps);
  deps.logger.info({ requestId: res.locals.requestId as string | undefined, ...summary }, 'messenger batch accepted');
  res.status(200).type('text/plain').send(ACKNOWLEDGEMENT);
}

/**
 * Senders are handled side by side, each one's events strictly in order (so their stored seq follows `timestamp`).
 * Every sequence runs to its end before a failure is reported, then the first failure is thrown: Meta redelivers the
 * whole batch, and what was already stored is recognised by its `mid`.
 */
async function dispatchBatch(
  sequences: readonly MessengerEvent[][],
  deps: MessengerWebhookDeps,
): Promise<BatchSummary> {
  const summary: BatchSummary = {
    messages: 0,
    duplicates: 0,
    standby: 0,
    echoes: 0,
    deliveredMids: 0,
    readWatermarks: 0,
    ignored: 0,
  };
  const practiceId = deps.practiceId();
  const outcomes = await Promise.allSettled(
    sequences.map(async (events) => {
      for (const event of events) await dispatchEvent(event, deps, practiceId, summary);
    }),
  );
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return summary;
}

async function dispatchEvent(
  event: MessengerEvent,
  deps: MessengerWebhookDeps,
  practiceId: string,
  summary: BatchSummary,
): Promise<void> {
  switch (event.kind) {
    case 'inbound': {
      const accepted = await deps.ingest.acceptFrom({
        practiceId,
        channel: 'messenger',
        address: event.address,
        providerMessageId: event.providerMessageId,
        text: event.text,
        ...(event.payload === undefined ? {} : { payload: event.payload }),
        // Handover protocol: another app (the page inbox, a person) owns the thread. Recorded, never answered.
        ...(event.source === 'standby' ? { recordOnly: true } : {}),
      });
      summary.messages += 1;
      if (accepted.duplicate) summary.duplicates += 1;
      if (event.source === 'standby') summary.standby += 1;
      return;
    }
    case 'delivery':
      for (const mid of event.mids) {
        await deps.statuses.recordProviderStatus({ channel: 'messenger', providerMessageId: mid, status: 'delivered' });
      }
      summary.deliveredMids += event.mids.length;
      return;
    case 'echo':
      summary.echoes += 1;
      return;
    case 'read':
      summary.readWatermarks += 1;
      return;
    case 'ignored':
      summary.ignored += 1;
      return;
  }
}

/** The bytes as received; a body some parser already turned into an object could never verify, so say why. */
function rawBodyOf(req: Request): Buffer {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (req.body === undefined) return Buffer.alloc(0);
  throw new Error('a body parser ran before the Messenger webhook: mount its router before any body parser');
}

/** Constant-time comparison of two secrets of any length (compares their SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => crypto.createHash('sha256').update(value).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
