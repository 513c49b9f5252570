/** Forms that edit the draft: a location's opening hours, and the training phrases of an intent. */
import type { ContentBundle } from '../../content/content-bundle';
import { formatOpeningHours } from '../../content/opening-hours-text';
import { WEEKDAYS } from '../../practice/practice-profile';
import { escapeHtml } from '../html-escape';
import { type Viewer, csrfField } from '../inbox/inbox-layout';
import { adminPage, flash } from './admin-views';

const DAY_LABELS: Readonly<Record<string, string>> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};
/** Monday first, as people read a week. */
export const WEEK = [...WEEKDAYS.slice(1), WEEKDAYS[0]];

export function dayLabel(day: string): string {
  return DAY_LABELS[day] ?? day;
}

export function locationsPage(viewer: Viewer, content: ContentBundle): string {
  const items = content.locations
    .map((location) => `<li><a href="/admin/hours/${escapeHtml(location.id)}">${escapeHtml(location.name)}</a></li>`)
    .join('');
  return adminPage(viewer, 'Opening hours', `<p>Choose a location.</p><ul>${items}</ul>`);
}

export function hoursPage(
  viewer: Viewer,
  location: ContentBundle['locations'][number],
  typed: Readonly<Record<string, string>> | undefined,
  messages: { readonly notice?: string; readonly error?: string } = {},
): string {
  const fields = WEEK.map((day) => {
    const value = typed?.[day] ?? formatOpeningHours(location.details.hours[day]);
    return `<div class="field"><label for="hours-${day}">${dayLabel(day)}</label><input id="hours-${day}" name="${day}" value="${escapeHtml(value)}" aria-describedby="hours-hint"></div>`;
  }).join('');
  return adminPage(
    viewer,
    `Opening hours: ${location.name}`,
    `${flash(messages.notice, messages.error)}<p id="hours-hint" class="hint">Type hours like "8am–5pm", two periods like "8am–12pm, 1pm–5pm", or "closed". Changes go to the draft; patients see them once you publish.</p>
<form method="post" action="/admin/hours/${escapeHtml(location.id)}">${csrfField(viewer.csrf)}${fields}
<button type="submit">Save to draft</button></form>`,
  );
}

export function intentsPage(viewer: Viewer, content: ContentBundle): string {
  const rows = content.training
    .filter((intent) => !intent.fallback)
    .map(
      (intent) =>
        `<tr><td><a href="/admin/training/${encodeURIComponent(intent.name)}">${escapeHtml(intent.name)}</a></td><td>${intent.phrases.en.length}</td><td>${intent.phrases.es.length}</td></tr>`,
    )
    .join('');
  return adminPage(
    viewer,
    'Training phrases',
    `<p>What patients say for each intent teaches the bot to understand them. The bot retrains when you publish.</p>
<table><thead><tr><th scope="col">Intent</th><th scope="col">English phrases</th><th scope="col">Spanish phrases</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function intentPage(
  viewer: Viewer,
  intent: ContentBundle['training'][number],
  messages: { readonly notice?: string; readonly error?: string } = {},
): string {
  const box = (lang: 'en' | 'es', label: string) =>
    `<div class="field"><label for="phrases-${lang}">${label} (one per line)</label><textarea id="phrases-${lang}" name="${lang}" rows="12">${escapeHtml(intent.phrases[lang].join('\n'))}</textarea></div>`;
  return adminPage(
    viewer,
    `Training phrases: ${intent.name}`,
    `${flash(messages.notice, messages.error)}<form method="post" action="/admin/training/${encodeURIComponent(intent.name)}">${csrfField(viewer.csrf)}
${box('en', 'English phrases')}${box('es', 'Spanish phrases')}
<button type="submit">Save to draft</button></form><p><a href="/admin/training">All intents</a></p>`,
  );
}
