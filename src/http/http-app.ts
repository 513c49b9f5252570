/**
 * The Express 5 application: request ids and access logs (ids and status only), routes, and the one error handler
 * that turns errors into `{ error: { code, message } }` with a status — never a stack, never the input.
 */
import crypto from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { AppError } from '../errors';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** `trustProxy`: Express's `trust proxy` (TRUST_PROXY), so req.ip is the client's address behind a load balancer. */
export function createHttpApp(
  logger: Logger,
  metrics: Metrics,
  routers: readonly Router[],
  trustProxy: boolean | number | string = 'loopback',
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxy);
  app.use(requestContext(logger, metrics));
  for (const router of routers) app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such route' } });
  });
  app.use(errorHandler(logger));
  return app;
}

function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const requestId = req.get('x-request-id')?.slice(0, 64) || crypto.randomUUID();
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    const started = performance.now();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      const ms = performance.now() - started;
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ route }, ms / 1000);
      const provider = WEBHOOK_PATH.exec(req.originalUrl)?.[1];
      if (provider) metrics.webhooks.inc({ provider, outcome: webhookOutcome(res.statusCode) });
      logger.debug({ requestId, method: req.method, route, status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    next();
  };
}

/** Provider webhooks live under /webhooks/<provider>/; the provider label is bounded to the ones we serve. */
const WEBHOOK_PATH = /^\/webhooks\/(twilio|messenger)(?:[/?]|$)/;

/** What a provider sees: 5xx makes it retry, 4xx makes it give up (403 is a bad signature). */
function webhookOutcome(status: number): string {
  if (status < 400) return 'accepted';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'too_large';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'error';
  return 'malformed';
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const requestId = res.locals.requestId as string | undefined;
    const status = statusOf(error);
    if (status >= 500) logger.error({ err: error, requestId }, 'request failed');
    const body =
      error instanceof AppError
        ? { code: error.code, message: error.message }
        : status === 413
          ? { code: 'too_large', message: 'request body is too large' }
          : status === 400
            ? { code: 'malformed', message: 'request body could not be parsed' }
            : { code: 'internal', message: 'something went wrong' };
    if (!res.headersSent) res.status(status).json({ error: body });
  };
}

function statusOf(error: unknown): number {
  if (error instanceof AppError) return error.status;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
