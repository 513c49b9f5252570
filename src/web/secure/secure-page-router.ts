/**
 * The secure patient page at `/s/<token>` (DESIGN §4, §5). GET shows what the link's state allows; POST carries
 * one form step (`birth-date`, `code`, `sign-out`) with its CSRF token. Every response is uncacheable, unindexed,
 * sends no referrer and runs under a CSP that allows only the page's own inline style and idle script. The token
 * is never logged or rendered: forms post to the page's own address.
 */
import crypto from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { OtpChallenges } from '../../identity/otp-challenges';
import { RateLimits } from '../../identity/rate-limits';
import type { SecurePageLanguage } from '../../identity/secure-links';
import { CsrfTokens, newBrowserSecret, readBrowserSecret, setBrowserCookie } from './browser-session';
import { IdentityCheck } from './identity-check';
import { type PageRequest, type SecurePageServices, message, resolveSettings } from './page-outcomes';
import { SECURE_PAGE_CONTENT_SECURITY_POLICY } from './secure-page-assets';
import { SecurePageSession } from './secure-page-session';
import type { PageOutcome, SecurePageDeps } from './secure-page-types';
import { renderSecurePage } from './secure-page-views';

export type { SecurePageDeps } from './secure-page-types';

const SECURE_PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': SECURE_PAGE_CONTENT_SECURITY_POLICY,
} as const;

const formSchema = z.object({
  step: z.enum(['birth-date', 'code', 'sign-out']),
  csrf: z.string().max(100),
  birthDate: z.string().max(32).optional(),
  phone: z.string().max(40).optional(),
  via: z.enum(['sms', 'email']).optional(),
  code: z.string().max(32).optional(),
  reason: z.enum(['manual', 'idle']).optional(),
});
type SecurePageForm = z.infer<typeof formSchema>;

/** What a response needs besides the outcome: the browser's cookie and the link, when there is one. */
interface Responder {
  readonly linkId: string | undefined;
  readonly language: SecurePageLanguage;
  readonly asksForPhone: boolean;
  browserSecret: string;
}

export function createSecurePageRouter(deps: SecurePageDeps): Router {
  const settings = resolveSettings(deps);
  const services: SecurePageServices = {
    deps,
    settings,
    otp: new OtpChallenges({ keyRing: deps.keyRing, now: settings.now }),
    rateLimits: new RateLimits({ keyRing: deps.keyRing, now: settings.now }),
  };
  const session = new SecurePageSession(services);
  const identityCheck = new IdentityCheck(services);
  const csrf = new CsrfTokens(deps.keyRing);

  function send(request: Request, response: Response, responder: Responder, outcome: PageOutcome): void {
    const secure = request.secure || deps.links.servedOverHttps;
    if (outcome.kind === 'redirect') {
      if (outcome.sessionSecret !== undefined) setBrowserCookie(response, outcome.sessionSecret, secure);
      response.redirect(303, request.originalUrl.split('?')[0]!);
      return;
    }
    if (outcome.resetBrowser) responder.browserSecret = newBrowserSecret();
    if (outcome.resetBrowser || readBrowserSecret(request) !== responder.browserSecret)
      setBrowserCookie(response, responder.browserSecret, secure);
    const html = renderSecurePage(outcome.view, {
      language: responder.language,
      practiceName: deps.practiceName,
      practicePhone: deps.practicePhone,
      idleTimeoutMs: settings.idleTimeoutMs,
      asksForPhone: responder.asksForPhone,
      offersEmail: deps.offersEmail ?? false,
      today: settings.now().toISOString().slice(0, 10),
      csrfToken: (step) =>
        responder.linkId === undefined ? '' : csrf.tokenFor(responder.linkId, step, responder.browserSecret),
    });
    response.status(outcome.status).type('html').send(html);
  }

  /** Resolves the link and answers "not valid" for an unknown token; the handler gets the rest. */
  function handle(work: (pageRequest: PageRequest, request: Request) => Promise<PageOutcome>): RequestHandler {
    return async (request, response) => {
      const token = String(request.params.token);
      const link = await deps.links.resolve(deps.db, token);
      const browserSecret = readBrowserSecret(request);
      const responder: Responder = {
        linkId: link?.id,
        language: link?.language ?? 'en',
        asksForPhone: link?.asksForPhone ?? false,
        browserSecret: browserSecret ?? newBrowserSecret(),
      };
      response.locals.secureResponder = responder;
      if (!link) return send(request, response, responder, message('invalid'));
      const requestId = (response.locals.requestId as string | undefined) ?? crypto.randomUUID();
      const pageRequest: PageRequest = {
        link,
        browserSecret,
        ip: request.ip ?? request.socket.remoteAddress ?? 'unknown',
        requestId,
      };
      send(request, response, responder, await work(pageRequest, request));
    };
  }

  function submit(pageRequest: PageRequest, form: SecurePageForm): Promise<PageOutcome> {
    switch (form.step) {
      case 'birth-date':
        return identityCheck.submitBirthDate(pageRequest, form.birthDate ?? '', form.phone ?? '', form.via ?? 'sms');
      case 'code':
        return identityCheck.submitCode(pageRequest, form.code ?? '');
      case 'sign-out':
        return session.signOut(pageRequest, form.reason ?? 'manual');
    }
  }

  const router = Router();
  router.use('/s', (_request, response, next) => {
    response.set(SECURE_PAGE_HEADERS);
    next();
  });
  router.get(
    '/s/:token',
    handle((pageRequest, request) => session.show(pageRequest, request.query.restart !== undefined)),
  );
  router.post(
    '/s/:token',
    express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }),
    handle(async (pageRequest, request) => {
      const form = formSchema.safeParse(request.body);
      if (!form.success) return message('form-expired');
      if (!csrf.verify(pageRequest.link.id, form.data.step, pageRequest.browserSecret, form.data.csrf))
        return message('form-expired');
      return submit(pageRequest, form.data);
    }),
  );
  router.use('/s', renderError(deps, send));
  return router;
}

/** Failures become a plain "something went wrong" page (logged with ids only); malformed bodies a form-expired one. */
function renderError(
  deps: SecurePageDeps,
  send: (request: Request, response: Response, responder: Responder, outcome: PageOutcome) => void,
): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) return next(error);
    const status = (error as { status?: unknown } | null)?.status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError)
      deps.logger.error({ err: error, requestId: response.locals.requestId as unknown }, 'secure page failed');
    const responder = (response.locals.secureResponder as Responder | undefined) ?? {
      linkId: undefined,
      language: 'en',
      asksForPhone: false,
      browserSecret: newBrowserSecret(),
    };
    send(request, response, responder, message(clientError ? 'form-expired' : 'error'));
  };
}
