/** /inbox/login and the steps after it: a new password, TOTP enrolment, the one-time code; and signing out. */
import express, { type Request, type Response, Router } from 'express';
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { StaffAccounts } from '../../inbox/staff-accounts';
import type { StaffTotp } from '../../inbox/staff-totp';
import { INBOX_HEADERS } from './inbox-layout';
import {
  type InboxSessions,
  STEP_PAGES,
  clearStaffCookie,
  isCrossSite,
  readStaffToken,
  setStaffCookie,
  signedIn,
} from './inbox-session';
import { enrolView, loginView, newPasswordView, verifyView } from './login-views';

export interface LoginRoutesDeps {
  readonly db: Kysely<Database>;
  readonly practiceId: string;
  readonly accounts: StaffAccounts;
  readonly totp: StaffTotp;
  readonly sessions: InboxSessions;
  readonly servedOverHttps: boolean;
}

const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

function field(request: Request, name: string, max = 256): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function page(response: Response, html: string, status = 200): void {
  response.set(INBOX_HEADERS).status(status).type('html').send(html);
}

export function createLoginRoutes(deps: LoginRoutesDeps): Router {
  const { db, sessions } = deps;
  const secure = (request: Request) => request.secure || deps.servedOverHttps;
  const router = Router();

  router.get('/inbox/login', (request, response) => {
    const notice =
      request.query.signed_out === 'idle' ? 'You were signed out after 15 minutes without activity.' : undefined;
    page(response, loginView({ ...(notice ? { notice } : {}) }));
  });

  router.post('/inbox/login', form, async (request, response, next) => {
    try {
      if (isCrossSite(request)) return page(response, loginView({ error: 'This form expired. Try again.' }), 403);
      const email = field(request, 'email');
      const result = await deps.accounts.checkPassword(db, deps.practiceId, email, field(request, 'password'));
      if (result.status === 'locked') {
        const error = 'Too many failed attempts. This account is locked for 15 minutes; an admin can unlock it.';
        return page(response, loginView({ error, email }), 429);
      }
      if (result.status === 'invalid')
        return page(response, loginView({ error: 'The email or password is not right.', email }), 401);
      const started = await sessions.sessions.start(db, result.staff);
      setStaffCookie(response, started.token, secure(request));
      response.redirect(303, STEP_PAGES[started.session.step]);
    } catch (error) {
      next(error);
    }
  });

  router.get('/inbox/password', sessions.require('page', 'change_password'), (_request, response) => {
    const { token } = signedIn(response);
    page(response, newPasswordView(sessions.sessions.csrfToken(token)));
  });

  router.post(
    '/inbox/password',
    form,
    sessions.require('action', 'change_password'),
    async (request, response, next) => {
      const { token, session, staff } = signedIn(response);
      const csrf = sessions.sessions.csrfToken(token);
      try {
        if (field(request, 'next') !== field(request, 'confirm'))
          return page(response, newPasswordView(csrf, 'The two new passwords are not the same.'), 400);
        await deps.accounts.changePassword(db, staff.id, field(request, 'current'), field(request, 'next'));
        const enrolled = await db
          .selectFrom('staff_users')
          .select('totp_enrolled_at')
          .where('id', '=', staff.id)
          .executeTakeFirstOrThrow();
        const nextStep = enrolled.totp_enrolled_at ? 'verify_totp' : 'enroll_totp';
        await sessions.sessions.advance(db, session.id, nextStep);
        response.redirect(303, STEP_PAGES[nextStep]);
      } catch (error) {
        if (error instanceof AppError && error.status === 400)
          return page(response, newPasswordView(csrf, error.message), 400);
        next(error);
      }
    },
  );

  router.get('/inbox/enroll', sessions.require('page', 'enroll_totp'), async (_request, response, next) => {
    try {
      const { token, staff } = signedIn(response);
      const enrolment = await deps.totp.current(db, staff.id, staff.email);
      const qrSvg = await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2 });
      page(response, enrolView(sessions.sessions.csrfToken(token), { qrSvg, manualKey: enrolment.manualKey }));
    } catch (error) {
      next(error);
    }
  });

  router.post('/inbox/enroll', form, sessions.require('action', 'enroll_totp'), async (request, response, next) => {
    try {
      const { token, session, staff } = signedIn(response);
      if (await deps.totp.confirm(db, staff.id, field(request, 'code', 12).trim())) {
        await sessions.sessions.advance(db, session.id, 'active');
        return response.redirect(303, '/inbox');
      }
      // The same secret again (not a new one), so the app already set up keeps working.
      const enrolment = await deps.totp.current(db, staff.id, staff.email);
      const qrSvg = await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2 });
      page(
        response,
        enrolView(
          sessions.sessions.csrfToken(token),
          { qrSvg, manualKey: enrolment.manualKey },
          'That code is not right. Type the code your app shows now.',
        ),
        400,
      );
    } catch (error) {
      next(error);
    }
  });

  router.get('/inbox/verify', sessions.require('page', 'verify_totp'), (_request, response) => {
    page(response, verifyView(sessions.sessions.csrfToken(signedIn(response).token)));
  });

  router.post('/inbox/verify', form, sessions.require('action', 'verify_totp'), async (request, response, next) => {
    try {
      const { token, session, staff } = signedIn(response);
      if (await deps.totp.verify(db, staff.id, field(request, 'code', 12).trim())) {
        await sessions.sessions.advance(db, session.id, 'active');
        return response.redirect(303, '/inbox');
      }
      page(
        response,
        verifyView(sessions.sessions.csrfToken(token), 'That code is not right. Type the code your app shows now.'),
        400,
      );
    } catch (error) {
      next(error);
    }
  });

  router.post('/inbox/logout', form, async (request, response, next) => {
    try {
      const token = readStaffToken(request);
      const csrf = field(request, 'csrf');
      if (token && !isCrossSite(request) && sessions.sessions.isValidCsrf(token, csrf))
        await sessions.sessions.end(db, token);
      clearStaffCookie(response, secure(request));
      response.redirect(303, field(request, 'reason') === 'idle' ? '/inbox/login?signed_out=idle' : '/inbox/login');
    } catch (error) {
      next(error);
    }
  });

  return router;
}
