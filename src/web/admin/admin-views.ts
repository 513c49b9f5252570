/** The content editor's pages: the overview (draft, changes, problems, publish), history and one version's changes. */
import type { ContentChange } from '../../content/content-diff';
import type { Draft, ReleaseSummary } from '../../content/content-releases';
import { escapeHtml } from '../html-escape';
import { type Viewer, appPage, clock, csrfField } from '../inbox/inbox-layout';

export function adminPage(viewer: Viewer, title: string, body: string): string {
  return appPage(viewer, title, body, {}, 'admin');
}

export function flash(notice: string | undefined, error: string | undefined): string {
  return [
    notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : '',
    error
      ? `<div class="error" role="alert">${error
          .split('\n')
          .map((line) => `<p>${escapeHtml(line)}</p>`)
          .join('')}</div>`
      : '',
  ].join('');
}

export function changesTable(changes: readonly ContentChange[], caption: string): string {
  if (changes.length === 0) return '<p class="empty">No changes.</p>';
  const cell = (value: string | null) =>
    value === null ? '<em>(none)</em>' : `<span class="text">${escapeHtml(value)}</span>`;
  const rows = changes
    .map(
      (change) =>
        `<tr><th scope="row">${escapeHtml(change.where)}</th><td>${cell(change.before)}</td><td>${cell(change.after)}</td></tr>`,
    )
    .join('');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr><th scope="col">Where</th><th scope="col">Before</th><th scope="col">After</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function overviewPage(
  viewer: Viewer & { readonly id: string },
  state: {
    readonly live: ReleaseSummary | undefined;
    readonly draft: Draft | undefined;
    readonly changes: readonly ContentChange[];
    readonly problems: readonly string[];
    readonly timeZone: string;
    readonly notice?: string;
    readonly error?: string;
  },
): string {
  const { live, draft, timeZone } = state;
  const liveText = live
    ? `Live: version ${live.version}, published ${clock(live.publishedAt, timeZone)}${live.publishedBy ? ` by ${live.publishedBy}` : ''}.`
    : 'Nothing is published yet.';
  const lockedByOther = draft?.lock && draft.lock.holderId !== viewer.id;
  const draftSection = !draft
    ? '<p>No unpublished changes. Edit a section to start a draft; nothing changes for patients until you publish.</p>'
    : `<p>Draft started from version ${draft.basedOn ?? '–'}${draft.updatedBy ? `, last edited by ${escapeHtml(draft.updatedBy)} ${escapeHtml(clock(draft.updatedAt, timeZone))}` : ''}.</p>
${lockedByOther ? `<p class="notice" role="status">${escapeHtml(draft.lock!.holder)} is editing the draft until ${escapeHtml(clock(draft.lock!.until, timeZone))}. You can look, and edit once they publish, discard or stop.</p>` : ''}
${changesTable(state.changes, 'Changes in the draft')}
${state.problems.length > 0 ? `<div class="error" role="alert"><p>The draft cannot be published yet:</p><ul>${state.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul></div>` : ''}
<form method="post" action="/admin/publish">${csrfField(viewer.csrf)}
<div class="field"><label for="publish-note">What changed (for the history)</label><input id="publish-note" name="note" maxlength="500"></div>
<button type="submit"${state.problems.length > 0 || lockedByOther ? ' disabled' : ''}>Publish</button></form>
<form method="post" action="/admin/discard">${csrfField(viewer.csrf)}<button type="submit" class="secondary"${lockedByOther ? ' disabled' : ''}>Discard the draft</button></form>`;
  return adminPage(
    viewer,
    'Content editor',
    `${flash(state.notice, state.error)}<p>${escapeHtml(liveText)}</p>
<section aria-labelledby="draft-heading"><h2 id="draft-heading">Draft</h2>${draftSection}</section>
<p><a href="/admin/preview">Preview ${draft ? 'the draft' : 'the content'} in a sandbox chat</a></p>`,
  );
}

export function historyPage(
  viewer: Viewer,
  releases: readonly ReleaseSummary[],
  timeZone: string,
  messages: { readonly notice?: string; readonly error?: string } = {},
): string {
  const rows = releases
    .map((release) => {
      const rollback =
        release.status === 'published'
          ? 'Live now'
          : `<form method="post" action="/admin/history/${release.version}/rollback">${csrfField(viewer.csrf)}<button type="submit" class="secondary">Roll back to version ${release.version}</button></form>`;
      return `<tr><td>${release.version}</td><td>${escapeHtml(clock(release.publishedAt, timeZone))}</td><td>${escapeHtml(release.publishedBy ?? 'System')}</td><td>${escapeHtml(release.note ?? '')}</td><td><a href="/admin/history/${release.version}">Changes in version ${release.version}</a></td><td>${rollback}</td></tr>`;
    })
    .join('');
  return adminPage(
    viewer,
    'History',
    `${flash(messages.notice, messages.error)}<p>Every publish and rollback, newest first. A rollback publishes an earlier version's content again as a new version.</p>
<table><thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">By</th><th scope="col">Note</th><th scope="col">Changes</th><th scope="col">Roll back</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function versionPage(viewer: Viewer, version: number, changes: readonly ContentChange[]): string {
  return adminPage(
    viewer,
    `Version ${version}`,
    `${changesTable(changes, `Changes from version ${version - 1} to version ${version}`)}<p><a href="/admin/history">Back to the history</a></p>`,
  );
}
