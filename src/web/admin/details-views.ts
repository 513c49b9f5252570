/** Forms for the practice's details, a location's details and holidays, and the FAQ answers managers write. */
import type { ContentBundle } from '../../content/content-bundle';
import { formatOpeningHours } from '../../content/opening-hours-text';
import { escapeHtml } from '../html-escape';
import { type Viewer, csrfField } from '../inbox/inbox-layout';
import { adminPage, flash } from './admin-views';

type Messages = { readonly notice?: string; readonly error?: string };

function input(name: string, label: string, value: string | undefined, type = 'text'): string {
  return `<div class="field"><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${escapeHtml(value ?? '')}"></div>`;
}

function textarea(name: string, label: string, value: string | undefined, rows = 3): string {
  return `<div class="field"><label for="f-${name}">${label}</label><textarea id="f-${name}" name="${name}" rows="${rows}">${escapeHtml(value ?? '')}</textarea></div>`;
}

function bilingual(name: string, label: string, value: { en?: string; es?: string } | undefined, rows = 3): string {
  return (
    textarea(`${name}.en`, `${label} (English)`, value?.en, rows) +
    textarea(`${name}.es`, `${label} (Spanish)`, value?.es, rows)
  );
}

/** "Medicaid: medi-cal, medicaid plan" — a plan and the other names patients use for it. */
export function planLines(plans: ContentBundle['practice']['details']['insurancePlans']): string {
  return plans.map((plan) => (plan.aliases.length ? `${plan.name}: ${plan.aliases.join(', ')}` : plan.name)).join('\n');
}

export function practicePage(viewer: Viewer, content: ContentBundle, messages: Messages = {}): string {
  const { name, details } = content.practice;
  const locations = content.locations
    .map(
      (location) => `<li><a href="/admin/locations/${escapeHtml(location.id)}">${escapeHtml(location.name)}</a></li>`,
    )
    .join('');
  return adminPage(
    viewer,
    'Practice details',
    `${flash(messages.notice, messages.error)}<form method="post" action="/admin/practice">${csrfField(viewer.csrf)}
<fieldset><legend>Contact</legend>${input('name', 'Practice name', name)}${input('phone', 'Phone', details.phone, 'tel')}${input('fax', 'Fax', details.fax, 'tel')}${input('email', 'Email', details.email, 'email')}${input('website', 'Website', details.website, 'url')}</fieldset>
<fieldset><legend>Billing</legend>${input('billing.phone', 'Billing phone', details.billing.phone, 'tel')}${input('billing.email', 'Billing email', details.billing.email, 'email')}${bilingual('billing.hours', 'Billing office hours', details.billing.hours, 2)}</fieldset>
<fieldset><legend>Insurance and services</legend>${textarea('insurancePlans', 'Insurance plans accepted (one per line; other names after a colon)', planLines(details.insurancePlans), 8)}
${textarea('services.en', 'Services (English, one per line)', details.services.en.join('\n'), 6)}${textarea('services.es', 'Services (Spanish, one per line)', details.services.es.join('\n'), 6)}</fieldset>
<fieldset><legend>New patients</legend><div class="field check"><input type="checkbox" id="f-accepting" name="newPatients.accepting" value="yes"${details.newPatients.accepting ? ' checked' : ''}><label for="f-accepting">Accepting new patients</label></div>${bilingual('newPatients.note', 'New-patient policy', details.newPatients.note)}</fieldset>
<button type="submit">Save to draft</button></form>
<h2>Locations</h2><ul>${locations}</ul>`,
  );
}

export function locationPage(
  viewer: Viewer,
  location: ContentBundle['locations'][number],
  messages: Messages = {},
): string {
  const { details } = location;
  const holidays = [...details.holidays, undefined]
    .map((holiday, index) => {
      const legend = holiday ? `Holiday ${index + 1}: ${holiday.name.en}` : 'Add a holiday';
      return `<fieldset><legend>${escapeHtml(legend)}</legend>${input(`holiday.${index}.date`, `Date (${escapeHtml(legend)})`, holiday?.date, 'date')}${input(`holiday.${index}.en`, `Name in English (${escapeHtml(legend)})`, holiday?.name.en)}${input(`holiday.${index}.es`, `Name in Spanish (${escapeHtml(legend)})`, holiday?.name.es)}${input(`holiday.${index}.hours`, `Hours (${escapeHtml(legend)})`, holiday ? formatOpeningHours(holiday.hours) : 'closed')}</fieldset>`;
    })
    .join('');
  return adminPage(
    viewer,
    `Location: ${location.name}`,
    `${flash(messages.notice, messages.error)}<form method="post" action="/admin/locations/${escapeHtml(location.id)}">${csrfField(viewer.csrf)}
<fieldset><legend>Address and phone</legend>${input('name', 'Location name', location.name)}${input('line1', 'Street address', details.address.line1)}${input('city', 'City', details.address.city)}${input('state', 'State', details.address.state)}${input('postalCode', 'ZIP code', details.address.postalCode)}${input('phone', 'Phone', details.phone, 'tel')}${input('fax', 'Fax', details.fax, 'tel')}</fieldset>
<fieldset><legend>Getting here</legend>${bilingual('directions', 'Directions', details.directions)}${bilingual('parking', 'Parking', details.parking)}</fieldset>
<h2>Holidays</h2><p class="hint">Clear a holiday's date to remove it. Hours like "9am–12pm", or "closed".</p>${holidays}
<button type="submit">Save to draft</button></form>
<p><a href="/admin/hours/${escapeHtml(location.id)}">Weekly opening hours</a></p>`,
  );
}

export function faqPage(
  viewer: Viewer,
  content: ContentBundle,
  topics: readonly string[],
  messages: Messages = {},
): string {
  const sections = topics
    .map((topic) => {
      const entry = content.faq.find((candidate) => candidate.topic === topic);
      return `<fieldset><legend>${escapeHtml(topic)}</legend>${bilingual(`faq.${topic}`, `Answer about ${topic}`, entry)}</fieldset>`;
    })
    .join('');
  return adminPage(
    viewer,
    'FAQ answers',
    `${flash(messages.notice, messages.error)}<p>Leave an answer empty and the bot answers from the practice's details (hours, insurance plans, address…). Text written here replaces that answer.</p>
<form method="post" action="/admin/faq">${csrfField(viewer.csrf)}${sections}<button type="submit">Save to draft</button></form>`,
  );
}
