/** Who may use the content editor (practice managers and admins) and how its pages are sent (the inbox's headers). */
import type { Response } from 'express';
import type { Editor } from '../../content/content-releases';
import { ForbiddenError, isSupervisor } from '../../inbox/staff-scope';
import { INBOX_HEADERS } from '../inbox/inbox-layout';
import { type SignedIn, signedIn } from '../inbox/inbox-session';

export function signedInEditor(response: Response): { who: SignedIn; editor: Editor } {
  const who = signedIn(response);
  if (!isSupervisor(who.staff)) throw new ForbiddenError('only practice managers and admins edit the content');
  return { who, editor: { id: who.staff.id, name: who.staff.name, practiceId: who.staff.practiceId } };
}

export function sendPage(response: Response, body: string, status = 200): void {
  response.set(INBOX_HEADERS).status(status).type('html').send(body);
}
