/**
 * The content editor at /admin (practice managers and admins, signed in through the inbox's login): the overview
 * with the draft's changes and problems, publish and discard, opening hours, training phrases, history and
 * rollback. Every edit goes to the draft through ContentReleases, under its edit lock.
 */
import express, { type Request, type Response, Router } from 'express';
import type { ContentBundle } from '../../content/content-bundle';
import { diffContent } from '../../content/content-diff';
import { type ContentReleases, PublishProblemsError } from '../../content/content-releases';
import { parseOpeningHours } from '../../content/opening-hours-text';
import { AppError } from '../../errors';
import type { InboxSessions } from '../inbox/inbox-session';
import { historyPage, overviewPage, versionPage } from './admin-views';
import { WEEK, dayLabel, hoursPage, intentPage, intentsPage, locationsPage } from './content-form-views';
import { SAVED_NOTICE, editorRouteKit, sendPage } from './editor-access';

export interface ContentEditorDeps {
  readonly sessions: InboxSessions;
  readonly releases: ContentReleases;
  readonly idleMs: number;
}

const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 40 });

const NOTICES: Readonly<Record<string, string>> = {
  published: 'Published: patients get the new content now.',
  discarded: 'The draft was discarded.',
  saved: SAVED_NOTICE,
  'rolled-back': 'Rolled back: the earlier content is live again, as a new version.',
};

function field(request: Request, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export function createContentEditorRoutes(deps: ContentEditorDeps): Router {
  const { sessions, releases } = deps;
  const router = Router();
  const { page, action, editorOf } = editorRouteKit(sessions, deps.idleMs);
  const html = sendPage;
  const notice = (request: Request) =>
    typeof request.query.done === 'string' ? NOTICES[request.query.done] : undefined;
  const timeZone = (content: ContentBundle) => content.locations[0]?.timeZone ?? 'UTC';

  const overview = async (response: Response, messages: { notice?: string; error?: string } = {}, status = 200) => {
    const { viewer, editor } = editorOf(response);
    const published = await releases.published(editor.practiceId);
    const draft = await releases.draft(editor.practiceId);
    const history = await releases.history(editor.practiceId);
    const content = draft?.content ?? published?.content;
    html(
      response,
      overviewPage(viewer, {
        live: history.find((release) => release.status === 'published'),
        draft,
        changes: draft && published ? diffContent(published.content, draft.content) : [],
        problems: draft ? await releases.draftProblems(editor.practiceId) : [],
        timeZone: content ? timeZone(content) : 'UTC',
        ...messages,
      }),
      status,
    );
  };

  router.get('/admin', page, async (request, response) => overview(response, { notice: notice(request) }));
  router.post('/admin/publish', form, action, async (request, response) => {
    const { editor } = editorOf(response);
    try {
      await releases.publish(editor, field(request, 'note'));
    } catch (error) {
      if (error instanceof PublishProblemsError || error instanceof AppError)
        return overview(response, { error: error.message }, error.status);
      throw error;
    }
    response.redirect(303, '/admin?done=published');
  });
  router.post('/admin/discard', form, action, async (_request, response) => {
    await releases.discard(editorOf(response).editor);
    response.redirect(303, '/admin?done=discarded');
  });

  router.get('/admin/hours', page, async (_request, response) => {
    const { viewer, editor } = editorOf(response);
    const content = await releases.working(editor.practiceId);
    if (content.locations.length === 1) return response.redirect(303, `/admin/hours/${content.locations[0]!.id}`);
    html(response, locationsPage(viewer, content));
  });
  router.get('/admin/hours/:location', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const location = locationOf(await releases.working(editor.practiceId), String(request.params.location));
    html(response, hoursPage(viewer, location, undefined, { notice: notice(request) }));
  });
  router.post('/admin/hours/:location', form, action, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const id = String(request.params.location);
    const typed = Object.fromEntries(WEEK.map((day) => [day, field(request, day)]));
    try {
      const hours = Object.fromEntries(WEEK.map((day) => [day, parseOpeningHours(typed[day]!, dayLabel(day))]));
      await releases.edit(editor, (content) => ({
        ...content,
        locations: content.locations.map((location) =>
          location.id === id
            ? { ...location, details: { ...location.details, hours: { ...location.details.hours, ...hours } } }
            : location,
        ),
      }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const location = locationOf(await releases.working(editor.practiceId), id);
      return html(response, hoursPage(viewer, location, typed, { error: error.message }), error.status);
    }
    response.redirect(303, `/admin/hours/${encodeURIComponent(id)}?done=saved`);
  });

  router.get('/admin/training', page, async (_request, response) => {
    const { viewer, editor } = editorOf(response);
    html(response, intentsPage(viewer, await releases.working(editor.practiceId)));
  });
  router.get('/admin/training/:intent', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const intent = intentOf(await releases.working(editor.practiceId), String(request.params.intent));
    html(response, intentPage(viewer, intent, { notice: notice(request) }));
  });
  router.post('/admin/training/:intent', form, action, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const name = String(request.params.intent);
    const lines = (text: string) => [
      ...new Set(
        text
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean),
      ),
    ];
    try {
      await releases.edit(editor, (content) => ({
        ...content,
        training: content.training.map((intent) =>
          intent.name === name
            ? { ...intent, phrases: { en: lines(field(request, 'en')), es: lines(field(request, 'es')) } }
            : intent,
        ),
      }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const intent = intentOf(await releases.working(editor.practiceId), name);
      return html(response, intentPage(viewer, intent, { error: error.message }), error.status);
    }
    response.redirect(303, `/admin/training/${encodeURIComponent(name)}?done=saved`);
  });

  router.get('/admin/history', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const content = await releases.working(editor.practiceId);
    html(
      response,
      historyPage(viewer, await releases.history(editor.practiceId), timeZone(content), {
        notice: notice(request),
      }),
    );
  });
  router.get('/admin/history/:version', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const version = versionOf(request);
    const after = await releases.version(editor.practiceId, version);
    const before = version > 1 ? await releases.version(editor.practiceId, version - 1) : after;
    html(response, versionPage(viewer, version, diffContent(before, after)));
  });
  router.post('/admin/history/:version/rollback', form, action, async (request, response) => {
    await releases.rollback(editorOf(response).editor, versionOf(request));
    response.redirect(303, '/admin/history?done=rolled-back');
  });
  return router;
}

function versionOf(request: Request): number {
  const version = Number(request.params.version);
  if (!Number.isSafeInteger(version) || version <= 0) throw new AppError('not_found', 404, 'no such version');
  return version;
}

function locationOf(content: ContentBundle, id: string) {
  const location = content.locations.find((candidate) => candidate.id === id);
  if (!location) throw new AppError('not_found', 404, 'no such location');
  return location;
}

function intentOf(content: ContentBundle, name: string) {
  const intent = content.training.find((candidate) => candidate.name === name && !candidate.fallback);
  if (!intent) throw new AppError('not_found', 404, 'no such intent');
  return intent;
}
