/** The admin page of the inbox: break-glass flags to review and staff password resets (admins only). */
import express, { type Request, type Response, Router } from 'express';
import { AppError } from '../../errors';
import { type StaffAdmin, assertAdmin } from '../../inbox/staff-admin';
import { INBOX_HEADERS, viewerOf } from './inbox-layout';
import { type InboxSessions, signedIn } from './inbox-session';
import { adminPage, resetDonePage } from './admin-views';

export interface AdminRoutesDeps {
  readonly sessions: InboxSessions;
  readonly admin: StaffAdmin;
  readonly idleMs: number;
  readonly timeZone: () => Promise<string>;
}

const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 5 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createAdminRoutes(deps: AdminRoutesDeps): Router {
  const { sessions, admin } = deps;
  const router = Router();
  const page = sessions.require('page');
  const action = sessions.require('action');
  const html = (response: Response, body: string) => response.set(INBOX_HEADERS).type('html').send(body);

  router.get('/inbox/admin', page, async (_request, response) => {
    const who = signedIn(response);
    assertAdmin(who.staff);
    html(
      response,
      adminPage(viewerOf(sessions, who, deps.idleMs), {
        flags: await admin.breakGlassFlags(who.staff),
        accounts: await admin.staffAccounts(who.staff),
        timeZone: await deps.timeZone(),
      }),
    );
  });
  router.post('/inbox/admin/break-glass/:grant/reviewed', form, action, async (request, response) => {
    const grant = Number(request.params.grant);
    if (!Number.isSafeInteger(grant) || grant <= 0) throw new AppError('not_found', 404, 'no such flag');
    await admin.markReviewed(signedIn(response).staff, grant);
    response.redirect(303, '/inbox/admin');
  });
  router.post('/inbox/admin/staff/:id/reset', form, action, async (request: Request, response) => {
    const id = String(request.params.id);
    if (!UUID.test(id)) throw new AppError('not_found', 404, 'no such staff member');
    const who = signedIn(response);
    const authenticator = (request.body as Record<string, unknown>).authenticator === 'yes';
    const reset = await admin.resetPassword(who.staff, id, { authenticator });
    html(response, resetDonePage(viewerOf(sessions, who, deps.idleMs), reset));
  });
  return router;
}
