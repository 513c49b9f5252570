/** The frame of every inbox page: headers that keep it private, the skip link, the header bar and the idle warning. */
import { isSupervisor } from '../../inbox/staff-scope';
import { escapeHtml } from '../html-escape';
import type { InboxSessions, SignedIn } from './inbox-session';

export const INBOX_HEADERS = {
  'Cache-Control': 'no-store',
  // same-origin, not no-referrer: with no-referrer the browser sends `Origin: null` even on our own forms.
  'Referrer-Policy': 'same-origin',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

export interface Viewer {
  readonly name: string;
  readonly roleLabel: string;
  readonly csrf: string;
  readonly idleMs: number;
  readonly canEditCanned: boolean;
  readonly isAdmin: boolean;
  /** Practice managers and admins edit what the bot says at /admin. */
  readonly canEditContent: boolean;
}

export type SignedInViewer = Viewer & { readonly id: string; readonly available: boolean };

export function viewerOf(sessions: InboxSessions, who: SignedIn, idleMs: number): SignedInViewer {
  return {
    id: who.staff.id,
    name: who.staff.name,
    roleLabel: ROLE_LABELS[who.staff.role] ?? who.staff.role,
    csrf: sessions.sessions.csrfToken(who.token),
    idleMs,
    canEditCanned: isSupervisor(who.staff),
    isAdmin: who.staff.role === 'admin',
    canEditContent: isSupervisor(who.staff),
    available: who.staff.available,
  };
}

export const ROLE_LABELS: Readonly<Record<string, string>> = {
  front_desk: 'Front desk',
  nurse: 'Nurse',
  billing: 'Billing',
  practice_manager: 'Practice manager',
  admin: 'Admin',
};

export const DEPARTMENT_LABELS: Readonly<Record<string, string>> = {
  front_desk: 'Front desk',
  nurse_line: 'Nurse line',
  billing: 'Billing',
  practice_management: 'Practice management',
};

export const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  webchat: 'Web chat',
  sms: 'SMS',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
};

export function csrfField(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;
}

/** A signed-out page (login steps). */
export function plainPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} – Staff inbox</title><link rel="stylesheet" href="/inbox/assets/inbox.css"></head><body class="plain"><main id="main"><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** The content editor's sections (the inbox's are built from the viewer's role). */
const ADMIN_NAV =
  '<li><a href="/admin">Overview</a></li><li><a href="/admin/practice">Practice</a></li><li><a href="/admin/hours">Opening hours</a></li><li><a href="/admin/faq">FAQ</a></li><li><a href="/admin/flows">Flows</a></li><li><a href="/admin/training">Training phrases</a></li><li><a href="/admin/preview">Preview</a></li><li><a href="/admin/history">History</a></li><li><a href="/inbox">Inbox</a></li>';

function inboxNav(viewer: Viewer): string {
  return [
    '<li><a href="/inbox">Queue</a></li>',
    viewer.canEditCanned ? '<li><a href="/inbox/canned">Canned responses</a></li>' : '',
    viewer.isAdmin ? '<li><a href="/inbox/admin">Admin</a></li>' : '',
    viewer.canEditContent ? '<li><a href="/admin">Content editor</a></li>' : '',
  ].join('');
}

/** A signed-in page: header, navigation, idle warning, live region; the client script keeps it current. */
export function appPage(
  viewer: Viewer,
  title: string,
  body: string,
  dataset: Record<string, string> = {},
  section: 'inbox' | 'admin' = 'inbox',
): string {
  const data = Object.entries(dataset)
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  const product = section === 'admin' ? 'Content editor' : 'Staff inbox';
  const nav = section === 'admin' ? ADMIN_NAV : inboxNav(viewer);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} – ${product}</title><link rel="stylesheet" href="/inbox/assets/inbox.css"><script src="/inbox/assets/inbox.js" defer></script></head>
<body data-idle-ms="${viewer.idleMs}" data-csrf="${escapeHtml(viewer.csrf)}"${data}>
<a class="skip" href="#main">Skip to main content</a>
<header class="bar"><p class="brand">${product}</p>
<nav aria-label="${section === 'admin' ? 'Editor sections' : 'Inbox sections'}"><ul>${nav}</ul></nav>
<p class="who">${escapeHtml(viewer.name)} · ${escapeHtml(viewer.roleLabel)}</p>
<button type="button" id="enable-notifications" class="secondary" hidden>Enable notifications</button>
<form method="post" action="/inbox/logout">${csrfField(viewer.csrf)}<button type="submit" class="secondary">Sign out</button></form>
</header>
<div id="idle-warning" class="idle-warning" role="alertdialog" aria-modal="false" aria-labelledby="idle-warning-text" hidden><p id="idle-warning-text">For privacy you will be signed out in 1 minute.</p><button type="button" id="stay-signed-in">Stay signed in</button></div>
<main id="main"><h1>${escapeHtml(title)}</h1>${body}</main>
<div id="live-status" class="visually-hidden" role="status" aria-live="polite"></div>
</body></html>`;
}

/** "just now", "4 min", "2 h 5 min". */
export function waitedFor(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

export function clock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(at);
}
