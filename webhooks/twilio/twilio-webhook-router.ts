/**
 * The Twilio edge: `POST /webhooks/twilio/messaging` (SMS and WhatsApp inbound, told apart by the `whatsapp:` prefix
 * of From) and `POST /webhooks/twilio/status` (delivery statuses of what we sent). Each request is parsed
 * (form body, 64 kB), authenticated (`X-Twilio-Signature` over PUBLIC_URL + the path and query as received and every
 * posted field: missing → 400, wrong → 403), validated with zod (malformed → 400 naming the field), then handed to
 * the core and acknowledged. Inbound messages are stored once per MessageSid (a repeat delivery is acknowledged the
 * same way) and answered with empty TwiML: replies go through the REST API. A database outage surfaces as 503 from
 * the error handler, so Twilio retries. No business logic here.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import twilio from 'twilio';
import type { z } from 'zod';
import type { ProviderStatusSink } from '../../src/channels/channel-sender';
import { STATUS_CALLBACK_ID_PARAM, TWILIO_STATUS_PATH } from '../../src/channels/twilio/twilio-sender';
import type { IngestService } from '../../src/conversation/ingest-service';
import { AppError, ValidationError } from '../../src/errors';
import type { Logger } from '../../src/observability/logger';
import type { Metrics } from '../../src/observability/metrics';
import {
  type InboundMessageFields,
  describeProblem,
  inboundMessageSchema,
  isTrackedStatus,
  isWhatsappAddress,
  statusCallbackSchema,
} from './twilio-webhook-fields';

export const TWILIO_MESSAGING_PATH = '/webhooks/twilio/messaging';
export { TWILIO_STATUS_PATH };
/** Empty TwiML: acknowledged, nothing said in the HTTP response. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
/** How `OptOutType` reaches the pipeline until inbound messages get a field of their own for it. */
export const OPT_OUT_PAYLOAD_PREFIX = 'twilio-opt-out:';
const BODY_LIMIT = '64kb';

export interface TwilioWebhookDeps {
  authToken: string;
  /** The public origin Twilio is configured with (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  ingest: Pick<IngestService, 'acceptFrom'>;
  statuses: ProviderStatusSink;
  practiceId: () => string;
  logger: Logger;
  metrics?: Metrics;
}

export function createTwilioWebhookRouter(deps: TwilioWebhookDeps): Router {
  const router = Router();
  const formBody = express.urlencoded({ extended: false, limit: BODY_LIMIT });
  const signature = verifyTwilioSignature(deps);
  router.post(TWILIO_MESSAGING_PATH, formBody, signature, (req, res) => acceptMessage(deps, req, res));
  router.post(TWILIO_STATUS_PATH, formBody, signature, (req, res) => acceptStatus(deps, req, res));
  return router;
}

/** Validates `X-Twilio-Signature` with the SDK (constant-time comparison) against PUBLIC_URL + the original URL. */
function verifyTwilioSignature(deps: TwilioWebhookDeps): RequestHandler {
  const publicUrl = deps.publicUrl.replace(/\/$/, '');
  return (req: Request, res: Response, next: NextFunction) => {
    const signature = req.get('x-twilio-signature');
    if (!signature)
      return next(rejectSignature(deps, res, 400, 'missing_signature', 'X-Twilio-Signature header is missing'));
    const params = formFields(req);
    if (!twilio.validateRequest(deps.authToken, signature, `${publicUrl}${req.originalUrl}`, params)) {
      return next(
        rejectSignature(deps, res, 403, 'invalid_signature', 'X-Twilio-Signature does not match this request'),
      );
    }
    next();
  };
}

function rejectSignature(
  deps: TwilioWebhookDeps,
  res: Response,
  status: number,
  code: string,
  message: string,
): AppError {
  deps.metrics?.errors.inc({ kind: `twilio_${code}` });
  deps.logger.warn({ requestId: res.locals.requestId as string | undefined, code }, 'twilio webhook refused');
  return new AppError(code, status, message);
}

/** The parsed form, or no fields when the request had no form body. */
function formFields(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

function parseFields<Schema extends z.ZodType>(schema: Schema, req: Request): z.output<Schema> {
  const parsed = schema.safeParse(formFields(req));
  if (!parsed.success) throw new ValidationError(describeProblem(parsed.error));
  return parsed.data;
}

async function acceptMessage(deps: TwilioWebhookDeps, req: Request, res: Response): Promise<void> {
  const fields = parseFields(inboundMessageSchema, req);
  const channel = isWhatsappAddress(fields.From) ? 'whatsapp' : 'sms';
  const accepted = await deps.ingest.acceptFrom({
    practiceId: deps.practiceId(),
    channel,
    address: fields.From,
    providerMessageId: fields.MessageSid,
    text: fields.Body,
    payload: payloadOf(fields),
  });
  deps.logger.debug(
    {
      requestId: res.locals.requestId as string | undefined,
      channel,
      inboundMessageId: accepted.inboundMessageId,
      duplicate: accepted.duplicate,
    },
    'twilio message accepted',
  );
  res.status(200).type('text/xml').send(EMPTY_TWIML);
}

/**
 * `twilio-opt-out:STOP|START|HELP` when Twilio's Advanced Opt-Out already handled a keyword (and sent its own
 * confirmation), else the WhatsApp button's payload.
 */
function payloadOf(fields: InboundMessageFields): string | undefined {
  if (fields.OptOutType) return `${OPT_OUT_PAYLOAD_PREFIX}${fields.OptOutType}`;
  return fields.ButtonPayload || undefined;
}

/** Our outbound id, carried by the statusCallback URL we gave Twilio (covered by the signature). */
function outboundIdOf(req: Request): { outboundMessageId?: number } {
  const value = req.query[STATUS_CALLBACK_ID_PARAM];
  return typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? { outboundMessageId: Number(value) } : {};
}

async function acceptStatus(deps: TwilioWebhookDeps, req: Request, res: Response): Promise<void> {
  const fields = parseFields(statusCallbackSchema, req);
  // Statuses we do not track (accepted, scheduled, receiving, received…) are acknowledged so Twilio stops sending them.
  if (isTrackedStatus(fields.MessageStatus)) {
    const whatsapp =
      isWhatsappAddress(fields.To) || isWhatsappAddress(fields.From) || fields.ChannelPrefix === 'whatsapp';
    await deps.statuses.recordProviderStatus({
      channel: whatsapp ? 'whatsapp' : 'sms',
      providerMessageId: fields.MessageSid,
      status: fields.MessageStatus,
      ...(fields.ErrorCode ? { errorCode: fields.ErrorCode } : {}),
      ...outboundIdOf(req),
    });
  }
  res.status(204).end();
}
