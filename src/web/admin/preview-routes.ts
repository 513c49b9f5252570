/**
 * The preview at /admin/preview: a manager chats with the draft in a sandbox (clearly marked; nothing is sent and
 * nothing is written to the EMR). Plain forms, so it works without script and with any assistive technology.
 */
import express, { type Request, Router } from 'express';
import type { ContentReleases } from '../../content/content-releases';
import type { PreviewLine, PreviewSandbox } from '../../content/preview-sandbox';
import { escapeHtml } from '../html-escape';
import { type Viewer, csrfField } from '../inbox/inbox-layout';
import type { InboxSessions } from '../inbox/inbox-session';
import { adminPage } from './admin-views';
import { editorRouteKit, sendPage } from './editor-access';

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
  const { page, action, editorOf } = editorRouteKit(sessions, deps.idleMs, 'preview the content');

  router.get('/admin/preview', page, async (_request, response) => {
    const { who, viewer } = editorOf(response);
    const hasDraft = (await releases.draft(who.staff.practiceId)) !== undefined;
    sendPage(response, previewPage(viewer, sandbox.transcript(who.session.id), hasDraft));
  });
  router.post('/admin/preview', form, action, async (request: Request, response) => {
    const { who } = editorOf(response);
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
