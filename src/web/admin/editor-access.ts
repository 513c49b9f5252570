/** Who may use the content editor (practice managers and admins) and how its pages are sent (the inbox's headers). */
import type { Request, RequestHandler, Response } from 'express';
import type { Editor } from '../../content/content-releases';
import { ForbiddenError, isSupervisor } from '../../inbox/staff-scope';
import { INBOX_HEADERS, type SignedInViewer, viewerOf } from '../inbox/inbox-layout';
import { type InboxSessions, type SignedIn, signedIn } from '../inbox/inbox-session';

/** Shown after an edit was saved (the page is reached with `?done=saved`). */
export const SAVED_NOTICE = 'Saved to the draft. Publish from the overview when you are ready.';

export function savedNotice(request: Request): string | undefined {
  return request.query.done === 'saved' ? SAVED_NOTICE : undefined;
}

export function signedInEditor(response: Response, doing = 'edit the content'): { who: SignedIn; editor: Editor } {
  const who = signedIn(response);
  if (!isSupervisor(who.staff)) throw new ForbiddenError(`only practice managers and admins ${doing}`);
  return { who, editor: { id: who.staff.id, name: who.staff.name, practiceId: who.staff.practiceId } };
}

export interface EditorRouteKit {
  /** Session checks for pages (a signed-out visit goes to the login steps) and for form posts (CSRF). */
  readonly page: RequestHandler;
  readonly action: RequestHandler;
  /** The signed-in manager or admin (403 for anyone else), and the page header's view of them. */
  editorOf(response: Response): { who: SignedIn; editor: Editor; viewer: SignedInViewer };
}

/** What every content-editor route file starts from. */
export function editorRouteKit(sessions: InboxSessions, idleMs: number, doing?: string): EditorRouteKit {
  return {
    page: sessions.require('page'),
    action: sessions.require('action'),
    editorOf(response) {
      const { who, editor } = signedInEditor(response, doing);
      return { who, editor, viewer: viewerOf(sessions, who, idleMs) };
    },
  };
}

export function sendPage(response: Response, body: string, status = 200): void {
  response.set(INBOX_HEADERS).status(status).type('html').send(body);
}
