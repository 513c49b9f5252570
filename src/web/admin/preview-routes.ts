/**
 * The preview at /admin/preview: a manager chats with the draft in a sandbox (clearly marked; nothing is sent and
 * nothing is written to the EMR). Plain forms, so it works without script and with any assistive technology.
 */
import express, { type Request, type Response, Router } from 'express';
import type { ContentReleases } from '../../content/content-releases';
import type { PreviewLine, PreviewSandbox } from '../../content/preview-sandbox';
import { ForbiddenError, isSupervisor } from '../../inbox/staff-scope';
import { escapeHtml } from '../html-escape';
import { INBOX_HEADERS, type Viewer, csrfField, viewerOf } from '../inbox/inbox-layout';
import { type InboxSessions, signedIn } from '../inbox/inbox-session';
import { adminPage } from './admin-views';

export interface PreviewRoutesDeps {
  readonly sessions: InboxSessions;
  readonly releases: ContentReleases;
  readonly sandbox: PreviewSandbox;
  readonly idleMs: number;
}

const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 5 });
const MAX_MESSAGE = 500;

export function createPreviewRoutes(deps: PreviewRoutesDeps): Router {
  const { sessions, releases, sandbox } = deps;
  const router = Router();
  const manager = (response: Response) => {
    const who = signedIn(response);
    if (!isSupervisor(who.staff)) throw new ForbiddenError('only practice managers and admins preview the content');
    return who;
  };

  router.get('/admin/preview', sessions.require('page'), async (_request, response) => {
    const who = manager(response);
    const hasDraft = (await releases.draft(who.staff.practiceId)) !== undefined;
    response
      .set(INBOX_HEADERS)
      .type('html')
      .send(previewPage(viewerOf(sessions, who, deps.idleMs), sandbox.transcript(who.session.id), hasDraft));
  });
  router.post('/admin/preview', form, sessions.require('action'), async (request: Request, response) => {
    const who = manager(response);
    const body = request.body as Record<string, unknown>;
    if (body.reset === 'yes') sandbox.reset(who.session.id);
    const text = typeof body.text === 'string' ? body.text.trim().slice(0, MAX_MESSAGE) : '';
    if (text !== '') {
      const draft = await releases.draft(who.staff.practiceId);
      const content = draft?.content ?? (await releases.working(who.staff.practiceId));
      const stamp = draft ? `draft:${draft.updatedAt.toISOString()}` : 'published';
      await sandbox.say(who.session.id, { content, stamp }, text);
    }
    response.redirect(303, '/admin/preview#message');
  });
  return router;
}

function previewPage(viewer: Viewer, lines: readonly PreviewLine[], hasDraft: boolean): string {
  const who = { patient: 'You', bot: 'Bot', note: 'Preview' } as const;
  const items = lines
    .map(
      (line) =>
        `<li class="msg ${line.role === 'patient' ? 'patient' : 'staff'}"><p class="meta">${who[line.role]}</p><p class="text">${escapeHtml(line.text)}</p></li>`,
    )
    .join('');
  return adminPage(
    viewer,
    'Preview',
    `<p class="notice" role="note"><strong>Sandbox.</strong> This chat runs ${hasDraft ? 'the draft' : 'the published content (there is no draft)'}. Nothing is sent to patients and nothing is written to the EMR; nobody can be verified here.</p>
<div id="transcript" role="log" aria-label="Preview transcript" tabindex="0"><ol class="messages">${items || '<li class="empty">Say something, as a patient would.</li>'}</ol></div>
<form method="post" action="/admin/preview">${csrfField(viewer.csrf)}
<div class="field"><label for="message">Type your message</label><input id="message" name="text" maxlength="${MAX_MESSAGE}" autocomplete="off" required></div>
<button type="submit">Send</button></form>
<form method="post" action="/admin/preview">${csrfField(viewer.csrf)}<input type="hidden" name="reset" value="yes"><button type="submit" class="secondary">Start over</button></form>`,
  );
}
