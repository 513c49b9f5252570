/**
 * The signed-in inbox: the queue, a conversation (with break-glass outside one's scope), the actions on an item,
 * replies and notes (POST, then back to the page), fragments the client script swaps in, and the live event stream
 * (server-sent events carrying conversation ids only; the page fetches what changed, within its own scope).
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import type { Kysely } from 'kysely';
import type { ConversationEvents } from '../../conversation/conversation-events';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { CannedResponses } from '../../inbox/canned-responses';
import type { ConversationViews } from '../../inbox/conversation-view';
import type { InboxQueue } from '../../inbox/inbox-queue';
import type { StaffReplies } from '../../inbox/staff-replies';
import {
  ForbiddenError,
  type StaffContext,
  type StaffScope,
  inScope,
  isSupervisor,
  latestItem,
} from '../../inbox/staff-scope';
import { INBOX_HEADERS, viewerOf } from './inbox-layout';
import { type InboxSessions, type SignedIn, signedIn } from './inbox-session';
import {
  breakGlassPage,
  cannedPage,
  conversationPage,
  queueFragment,
  queuePage,
  transcriptFragment,
} from './inbox-views';

export interface InboxRoutesDeps {
  readonly db: Kysely<Database>;
  readonly sessions: InboxSessions;
  readonly queue: InboxQueue;
  readonly views: ConversationViews;
  readonly replies: StaffReplies;
  readonly scope: StaffScope;
  readonly canned: CannedResponses;
  readonly events: ConversationEvents;
  readonly idleMs: number;
  /** Break-glass access not yet reviewed, shown to admins on the queue. */
  readonly openFlagCount: (practiceId: string) => Promise<number>;
  readonly timeZone: () => Promise<string>;
  readonly now: () => Date;
}

const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEEPALIVE_MS = 25_000;

function field(request: Request, name: string, max = 4000): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export function createInboxRoutes(deps: InboxRoutesDeps): Router {
  const { sessions } = deps;
  const router = Router();
  const page = sessions.require('page');
  const action = sessions.require('action');
  const live = sessions.require('live');

  const viewer = (who: SignedIn) => viewerOf(sessions, who, deps.idleMs);
  const html = (response: Response, body: string, status = 200) =>
    response.set(INBOX_HEADERS).status(status).type('html').send(body);
  const conversationId = (request: Request) => {
    const id = String(request.params.id);
    if (!UUID.test(id)) throw new AppError('not_found', 404, 'no such conversation');
    return id;
  };
  const itemId = (request: Request) => {
    const id = Number(request.params.item);
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('not_found', 404, 'no such item');
    return id;
  };
  const backTo = async (id: number) => {
    const row = await deps.db
      .selectFrom('handoff_requests')
      .select('conversation_id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? `/inbox/c/${row.conversation_id}` : '/inbox';
  };

  router.get('/inbox', page, async (_request, response) => {
    const who = signedIn(response);
    const fragment = queueFragment(await deps.queue.list(who.staff), deps.now(), who.staff.id);
    const openFlags = who.staff.role === 'admin' ? await deps.openFlagCount(who.staff.practiceId) : 0;
    html(response, queuePage(viewer(who), fragment, openFlags));
  });
  router.get('/inbox/fragments/queue', live, async (_request, response) => {
    const who = signedIn(response);
    html(response, queueFragment(await deps.queue.list(who.staff), deps.now(), who.staff.id));
  });
  router.post('/inbox/availability', form, action, async (request, response) => {
    await deps.queue.setAvailable(signedIn(response).staff, field(request, 'available') === 'yes');
    response.redirect(303, '/inbox');
  });

  router.get('/inbox/c/:id', page, async (request, response) => {
    const who = signedIn(response);
    const id = conversationId(request);
    try {
      await deps.scope.assertCanOpen(deps.db, who.staff, id);
    } catch (error) {
      if (error instanceof ForbiddenError) return html(response, breakGlassPage(viewer(who), id), 403);
      throw error;
    }
    const requestId = (response.locals.requestId as string | undefined) ?? crypto.randomUUID();
    const view = await deps.views.load(who.staff, id, requestId);
    const open = await deps.queue.openItem(id);
    const item = open && {
      itemId: open.id,
      state: open.state,
      department: open.department,
      assigneeId: open.assignee_id,
      waitingSince: open.created_at,
    };
    const flash = typeof request.query.sent === 'string' ? SENT_NOTICES[request.query.sent] : undefined;
    html(
      response,
      conversationPage(viewer(who), view, item, {
        timeZone: await deps.timeZone(),
        now: deps.now(),
        canned: await deps.canned.list(who.staff.practiceId),
        colleagues: await colleagues(deps.db, who.staff),
        ...(flash ? { flash } : {}),
      }),
    );
  });
  router.get('/inbox/fragments/c/:id', live, async (request, response) => {
    const who = signedIn(response);
    const id = conversationId(request);
    await deps.scope.assertCanOpen(deps.db, who.staff, id);
    html(response, transcriptFragment(await deps.views.transcript(who.staff, id), await deps.timeZone()));
  });
  router.post('/inbox/c/:id/break-glass', form, action, async (request, response) => {
    const who = signedIn(response);
    const id = conversationId(request);
    try {
      await deps.scope.breakGlass(deps.db, who.staff, id, field(request, 'reason', 500));
    } catch (error) {
      if (error instanceof ForbiddenError) return html(response, breakGlassPage(viewer(who), id, error.message), 400);
      throw error;
    }
    response.redirect(303, `/inbox/c/${id}`);
  });
  router.post('/inbox/c/:id/reply', form, action, async (request, response) => {
    const who = signedIn(response);
    const id = conversationId(request);
    await deps.scope.assertCanOpen(deps.db, who.staff, id);
    const delivery = await deps.replies.send(who.staff, id, field(request, 'text', 2000), {
      asSecureLink: field(request, 'mode') === 'secure',
      containsPhi: field(request, 'phi') === 'yes',
    });
    response.redirect(303, `/inbox/c/${id}?sent=${delivery}`);
  });
  router.post('/inbox/c/:id/notes', form, action, async (request, response) => {
    const who = signedIn(response);
    const id = conversationId(request);
    await deps.scope.assertCanOpen(deps.db, who.staff, id);
    await deps.queue.addNote(who.staff, id, field(request, 'text'));
    response.redirect(303, `/inbox/c/${id}`);
  });

  router.post('/inbox/items/:item/claim', form, action, async (request, response) => {
    const id = itemId(request);
    await deps.queue.claim(signedIn(response).staff, id);
    response.redirect(303, await backTo(id));
  });
  router.post('/inbox/items/:item/handback', form, action, async (request, response) => {
    const id = itemId(request);
    await deps.queue.handBack(signedIn(response).staff, id);
    response.redirect(303, await backTo(id));
  });
  router.post('/inbox/items/:item/close', form, action, async (request, response) => {
    const id = itemId(request);
    await deps.queue.close(signedIn(response).staff, id, field(request, 'outcome', 40));
    response.redirect(303, '/inbox');
  });
  router.post('/inbox/items/:item/transfer', form, action, async (request, response) => {
    const id = itemId(request);
    const [kind, target] = field(request, 'to', 80).split(':');
    await deps.queue.transfer(signedIn(response).staff, id, {
      ...(kind === 'person' ? { assigneeId: target } : { department: target }),
      note: field(request, 'note'),
    });
    response.redirect(303, '/inbox');
  });

  router.get('/inbox/canned', page, async (_request, response) => {
    const who = signedIn(response);
    if (!isSupervisor(who.staff)) throw new ForbiddenError('only practice managers and admins edit canned responses');
    html(response, cannedPage(viewer(who), await deps.canned.list(who.staff.practiceId)));
  });
  router.post('/inbox/canned', form, action, async (request, response) => {
    await deps.canned.save(signedIn(response).staff, field(request, 'title', 100), field(request, 'body', 2000));
    response.redirect(303, '/inbox/canned');
  });
  router.post('/inbox/canned/:id/delete', form, action, async (request, response) => {
    await deps.canned.remove(signedIn(response).staff, String(request.params.id));
    response.redirect(303, '/inbox/canned');
  });

  /** The idle timer's check (not activity) and "Stay signed in" (activity). */
  router.get('/inbox/session', live, (_request, response) => {
    response.set(INBOX_HEADERS).json({ idleUntil: signedIn(response).session.idleUntil.toISOString() });
  });
  router.post('/inbox/session/keepalive', form, action, (_request, response) => {
    response.set(INBOX_HEADERS).json({ idleUntil: signedIn(response).session.idleUntil.toISOString() });
  });

  router.get('/inbox/events', live, (request, response) => {
    const who = signedIn(response);
    response.set({
      ...INBOX_HEADERS,
      'Content-Type': 'text/event-stream',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    response.write('retry: 3000\n\n');
    const unsubscribe = deps.events.subscribeAll((event) => {
      if (event.type !== 'inbox') return;
      visibleTo(deps.db, who.staff, event.conversationId)
        .then((visible) => {
          if (visible)
            response.write(
              `event: inbox\ndata: ${JSON.stringify({ conversationId: event.conversationId, change: event.change })}\n\n`,
            );
        })
        .catch(() => undefined);
    });
    const keepalive = setInterval(() => response.write(': keep-alive\n\n'), KEEPALIVE_MS);
    request.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
    });
  });

  return router;
}

const SENT_NOTICES: Readonly<Record<string, string>> = {
  as_is: 'Reply sent.',
  secure_link: 'Reply sent as a secure link: the patient confirms who they are before reading it.',
};

async function visibleTo(db: Kysely<Database>, staff: StaffContext, conversationId: string): Promise<boolean> {
  const item = await latestItem(db, conversationId);
  return item !== undefined && inScope(staff, item);
}

async function colleagues(db: Kysely<Database>, staff: StaffContext) {
  return db
    .selectFrom('staff_users')
    .select(['id', 'name'])
    .where('practice_id', '=', staff.practiceId)
    .where('id', '<>', staff.id)
    .where('disabled_at', 'is', null)
    .orderBy('name')
    .execute();
}
