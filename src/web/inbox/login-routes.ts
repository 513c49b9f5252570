/**
 * /inbox/login and the steps after it: a new password, TOTP enrolment, the one-time code; and signing out. Express 5
 * passes a rejected handler's error on, so handlers only catch what they answer themselves.
 */
import express, { type Request, type Response, Router } from 'express';
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { StaffAccounts } from '../../inbox/staff-accounts';
import type { StaffTotp } from '../../inbox/staff-totp';
import { INBOX_HEADERS } from './inbox-layout';
import type { SignedIn } from './inbox-session';
import {
  type InboxSessions,
  STEP_PAGES,
  clearStaffCookie,
  isCrossSite,
  landingPage,
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
  readonly idleMinutes: number;
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
  const wrongCode = 'That code is not right. Type the code your app shows now.';
  const router = Router();

  /** The enrolment under way (the same secret on a wrong code, so an app already set up keeps working). */
  async function showEnrolment(response: Response, { token, staff }: SignedIn, error?: string): Promise<void> {
    const enrolment = await deps.totp.current(db, staff.id, staff.email);
    const qrSvg = await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2 });
    const view = enrolView(sessions.sessions.csrfToken(token), { qrSvg, manualKey: enrolment.manualKey }, error);
    page(response, view, error ? 400 : 200);
  }

  router.get('/inbox/login', (request, response) => {
    const notice =
      request.query.signed_out === 'idle'
        ? `You were signed out after ${deps.idleMinutes} minutes without activity.`
        : undefined;
    page(response, loginView({ ...(notice ? { notice } : {}) }));
  });

  router.post('/inbox/login', form, async (request, response) => {
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
  });

  router.get('/inbox/password', sessions.require('page', 'change_password'), (_request, response) => {
    page(response, newPasswordView(sessions.sessions.csrfToken(signedIn(response).token)));
  });

  router.post('/inbox/password', form, sessions.require('action', 'change_password'), async (request, response) => {
    const { token, session, staff } = signedIn(response);
    const csrf = sessions.sessions.csrfToken(token);
    if (field(request, 'next') !== field(request, 'confirm'))
      return page(response, newPasswordView(csrf, 'The two new passwords are not the same.'), 400);
    try {
      await deps.accounts.changePassword(db, staff.id, field(request, 'current'), field(request, 'next'));
    } catch (error) {
      if (error instanceof AppError && error.status === 400)
        return page(response, newPasswordView(csrf, error.message), 400);
      throw error;
    }
    const enrolled = await db
      .selectFrom('staff_users')
      .select('totp_enrolled_at')
      .where('id', '=', staff.id)
      .executeTakeFirstOrThrow();
    const nextStep = enrolled.totp_enrolled_at ? 'verify_totp' : 'enroll_totp';
    await sessions.sessions.advance(db, session.id, nextStep);
    response.redirect(303, STEP_PAGES[nextStep]);
  });

  router.get('/inbox/enroll', sessions.require('page', 'enroll_totp'), (_request, response) =>
    showEnrolment(response, signedIn(response)),
  );

  router.post('/inbox/enroll', form, sessions.require('action', 'enroll_totp'), async (request, response) => {
    const who = signedIn(response);
    if (!(await deps.totp.confirm(db, who.staff.id, field(request, 'code', 12).trim())))
      return showEnrolment(response, who, wrongCode);
    await sessions.sessions.advance(db, who.session.id, 'active');
    response.redirect(303, landingPage(request, response));
  });

  router.get('/inbox/verify', sessions.require('page', 'verify_totp'), (_request, response) => {
    page(response, verifyView(sessions.sessions.csrfToken(signedIn(response).token)));
  });

  router.post('/inbox/verify', form, sessions.require('action', 'verify_totp'), async (request, response) => {
    const { token, session, staff } = signedIn(response);
    if (!(await deps.totp.verify(db, staff.id, field(request, 'code', 12).trim())))
      return page(response, verifyView(sessions.sessions.csrfToken(token), wrongCode), 400);
    await sessions.sessions.advance(db, session.id, 'active');
    response.redirect(303, landingPage(request, response));
  });

  router.post('/inbox/logout', form, async (request, response) => {
    const token = readStaffToken(request);
    if (token && !isCrossSite(request) && sessions.sessions.isValidCsrf(token, field(request, 'csrf')))
      await sessions.sessions.end(db, token);
    clearStaffCookie(response, secure(request));
    response.redirect(303, field(request, 'reason') === 'idle' ? '/inbox/login?signed_out=idle' : '/inbox/login');
  });

  return router;
}
