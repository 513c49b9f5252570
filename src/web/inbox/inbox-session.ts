/**
 * The staff session in the browser: one httpOnly, SameSite=Strict cookie on /inbox and /admin (Secure over HTTPS), checked on
 * every request; forms carry the session's CSRF token and a cross-site Origin is refused. Live updates and the idle
 * timer's checks read the session without extending it: only what a person does keeps them signed in.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { SessionStep } from '../../db/staff-tables';
import type { StaffSession, StaffSessions } from '../../inbox/staff-sessions';
import { type StaffContext, loadStaffContext } from '../../inbox/staff-scope';

export const STAFF_COOKIE = 'cc_staff';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SignedIn {
  readonly token: string;
  readonly session: StaffSession;
  readonly staff: StaffContext;
}

function readCookie(request: Request, name: string): string | undefined {
  for (const pair of (request.get('cookie') ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (pair.slice(0, separator).trim() !== name) continue;
    try {
      return decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function readStaffToken(request: Request): string | undefined {
  const value = readCookie(request, STAFF_COOKIE);
  return value !== undefined && TOKEN_PATTERN.test(value) ? value : undefined;
}

/** The staff pages: the inbox and the content editor; the cookie goes nowhere else. */
const STAFF_PATHS = ['/inbox', '/admin'] as const;

export function setStaffCookie(response: Response, token: string, secure: boolean): void {
  for (const path of STAFF_PATHS)
    response.cookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path });
}

export function clearStaffCookie(response: Response, secure: boolean): void {
  for (const path of STAFF_PATHS)
    response.clearCookie(STAFF_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path });
}

/** Where a signed-out visit to the content editor returns after the login steps (the editor's pages only). */
const RETURN_COOKIE = 'cc_return';
const RETURN_PATH = /^\/admin(\/[A-Za-z0-9._~%-]+)*$/;

function rememberReturn(request: Request, response: Response): void {
  if (!RETURN_PATH.test(request.path) || request.path !== request.originalUrl.split('?')[0]) return;
  response.cookie(RETURN_COOKIE, request.path, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/inbox',
    maxAge: 15 * 60_000,
  });
}

/** The page to land on once signed in: the editor page that sent the person to the login, else the queue. */
export function landingPage(request: Request, response: Response): string {
  const remembered = readCookie(request, RETURN_COOKIE);
  response.clearCookie(RETURN_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/inbox' });
  return remembered && RETURN_PATH.test(remembered) ? remembered : '/inbox';
}

export const STEP_PAGES: Readonly<Record<SessionStep, string>> = {
  change_password: '/inbox/password',
  enroll_totp: '/inbox/enroll',
  verify_totp: '/inbox/verify',
  active: '/inbox',
};

/** A POST from another site (no SameSite cookie would reach us, but a login form has none yet). */
export function isCrossSite(request: Request): boolean {
  const origin = request.get('origin');
  if (origin === undefined || origin === 'null') return origin === 'null';
  return origin !== `${request.protocol}://${request.get('host')}`;
}

export class InboxSessions {
  constructor(
    private readonly db: Kysely<Database>,
    readonly sessions: StaffSessions,
  ) {}

  async current(request: Request, extend: boolean): Promise<SignedIn | undefined> {
    const token = readStaffToken(request);
    if (!token) return undefined;
    const session = await this.sessions.touch(this.db, token, extend);
    if (!session) return undefined;
    const staff = await loadStaffContext(this.db, session.staffId);
    return staff ? { token, session, staff } : undefined;
  }

  /**
   * Middleware for a signed-in page or action at `step` (default: fully signed in). `kind` decides how a missing
   * session answers: pages go to the login, data answers 401, and `live` requests do not count as activity.
   */
  require(kind: 'page' | 'action' | 'live', step: SessionStep = 'active') {
    return async (request: Request, response: Response, next: NextFunction) => {
      try {
        const signedIn = await this.current(request, kind !== 'live');
        if (!signedIn) {
          if (kind === 'page') {
            rememberReturn(request, response);
            return response.redirect(303, '/inbox/login');
          }
          return response.status(401).json({ error: { code: 'signed_out', message: 'sign in again' } });
        }
        if (signedIn.session.step !== step) {
          if (kind === 'page') return response.redirect(303, STEP_PAGES[signedIn.session.step]);
          return response.status(401).json({ error: { code: 'signed_out', message: 'finish signing in' } });
        }
        if (request.method === 'POST') {
          const csrf = (request.body as { csrf?: unknown } | undefined)?.csrf;
          if (
            isCrossSite(request) ||
            !this.sessions.isValidCsrf(signedIn.token, typeof csrf === 'string' ? csrf : undefined)
          )
            return response.status(403).type('text').send('This form expired. Go back, reload the page and try again.');
        }
        response.locals.signedIn = signedIn;
        next();
      } catch (error) {
        next(error);
      }
    };
  }
}

export function signedIn(response: Response): SignedIn {
  const value = response.locals.signedIn as SignedIn | undefined;
  if (!value) throw new Error('no signed-in staff member on this request');
  return value;
}
