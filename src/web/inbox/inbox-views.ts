/** The signed-in pages: the queue by department, a conversation, break-glass, canned responses. All text escaped. */
import type { ConversationView, TranscriptLine } from '../../inbox/conversation-view';
import type { QueueItem } from '../../inbox/inbox-queue';
import { OUTCOMES } from '../../inbox/inbox-queue';
import { DEPARTMENTS } from '../../db/staff-tables';
import { escapeHtml } from '../html-escape';
import { CHANNEL_LABELS, DEPARTMENT_LABELS, type Viewer, appPage, clock, csrfField, waitedFor } from './inbox-layout';

export const MESSENGER_CLOSED =
  'Messenger takes no reply more than 7 days after the patient’s last message. Call the patient, or wait until they write again.';

const STATE_LABELS: Readonly<Record<string, string>> = { waiting: 'Waiting', assigned: 'Assigned', closed: 'Closed' };

export function queueFragment(items: readonly QueueItem[], now: Date, viewerId: string): string {
  if (items.length === 0)
    return '<p class="empty">No conversations are waiting. New ones appear here by themselves.</p>';
  const byDepartment = DEPARTMENTS.map((department) => ({
    department,
    items: items.filter((item) => item.department === department),
  })).filter((group) => group.items.length > 0);
  return byDepartment
    .map(({ department, items: group }) => {
      const waiting = group.filter((item) => item.state === 'waiting').length;
      const rows = group
        .map((item) => {
          const status = [
            item.priority === 'urgent' ? '<strong class="urgent">Urgent</strong>' : '',
            item.escalated ? '<strong class="escalated">Past target</strong>' : '',
            escapeHtml(
              item.state === 'assigned'
                ? `Assigned to ${item.assigneeId === viewerId ? 'you' : (item.assigneeName ?? 'someone')}`
                : STATE_LABELS[item.state]!,
            ),
          ]
            .filter(Boolean)
            .join(' · ');
          const label = `${CHANNEL_LABELS[item.channel] ?? item.channel} conversation ${item.conversationId.slice(0, 8)}`;
          return `<tr><td><a href="/inbox/c/${escapeHtml(item.conversationId)}">${escapeHtml(label)}</a></td><td>${status}</td><td>${escapeHtml(waitedFor(item.waitingSince, now))}</td><td>${escapeHtml(item.reason.replace(/[_-]/g, ' '))}</td></tr>`;
        })
        .join('');
      const heading = `${DEPARTMENT_LABELS[department]} (${waiting} waiting)`;
      return `<section aria-labelledby="queue-${department}"><h2 id="queue-${department}">${escapeHtml(heading)}</h2>
<table><thead><tr><th scope="col">Conversation</th><th scope="col">Status</th><th scope="col">Waiting</th><th scope="col">Reason</th></tr></thead><tbody>${rows}</tbody></table></section>`;
    })
    .join('');
}

/** `openFlags`: for admins, break-glass access not yet reviewed. */
export function queuePage(viewer: Viewer & { available: boolean }, fragment: string, openFlags = 0): string {
  const flags =
    openFlags > 0
      ? `<p class="notice" role="status"><a href="/inbox/admin">${openFlags === 1 ? '1 break-glass access waits' : `${openFlags} break-glass accesses wait`} for your review.</a></p>`
      : '';
  return appPage(
    viewer,
    'Queue',
    `${flags}<form method="post" action="/inbox/availability" class="inline">${csrfField(viewer.csrf)}
<input type="hidden" name="available" value="${viewer.available ? 'no' : 'yes'}">
<p>${viewer.available ? 'You take new conversations automatically.' : 'New conversations wait for someone to claim them.'}</p>
<button type="submit" class="secondary">${viewer.available ? 'Stop taking new conversations' : 'Take new conversations automatically'}</button></form>
<div id="queue" data-fragment="/inbox/fragments/queue">${fragment}</div>`,
    { page: 'queue' },
  );
}

export function transcriptFragment(transcript: readonly TranscriptLine[], timeZone: string): string {
  const lines = transcript
    .map((line) => {
      const who = line.role === 'patient' ? 'Patient' : line.role === 'staff' ? 'Staff' : 'Bot';
      return `<li class="msg ${line.role}"><p class="meta">${who} · ${escapeHtml(CHANNEL_LABELS[line.channel] ?? line.channel)} · <time datetime="${line.at.toISOString()}">${escapeHtml(clock(line.at, timeZone))}</time></p><p class="text">${escapeHtml(line.text)}</p></li>`;
    })
    .join('');
  return `<ol class="messages">${lines === '' ? '<li class="empty">No messages yet.</li>' : lines}</ol>`;
}

interface ItemSummary {
  readonly itemId: number;
  readonly state: string;
  readonly department: string;
  readonly assigneeId: string | null;
  readonly waitingSince: Date;
}

export function conversationPage(
  viewer: Viewer & { id: string },
  view: ConversationView,
  item: ItemSummary | undefined,
  extras: {
    timeZone: string;
    now: Date;
    canned: ReadonlyArray<{ title: string; body: string }>;
    colleagues: ReadonlyArray<{ id: string; name: string }>;
    flash?: string;
  },
): string {
  const channel = CHANNEL_LABELS[view.channel] ?? view.channel;
  const csrf = csrfField(viewer.csrf);
  const status = item
    ? `${STATE_LABELS[item.state]} · ${DEPARTMENT_LABELS[item.department]} · ${item.assigneeId === viewer.id ? 'yours' : item.assigneeId ? 'assigned to a colleague' : 'not claimed'} · waiting since ${clock(item.waitingSince, extras.timeZone)}`
    : 'The bot is answering this conversation.';
  const ownership = item
    ? `<div class="actions">
${item.assigneeId !== viewer.id ? `<form method="post" action="/inbox/items/${item.itemId}/claim">${csrf}<button type="submit">Claim</button></form>` : ''}
<form method="post" action="/inbox/items/${item.itemId}/handback">${csrf}<button type="submit" class="secondary">Hand back to the bot</button></form>
</div>`
    : '';
  const limits = view.limits;
  const limitText = [
    `${channel}: up to ${limits.maxLength} characters per message`,
    limits.phiAllowed
      ? 'health information may be sent here'
      : 'health information is not allowed here: it goes as a secure link',
    limits.humanAgentTag
      ? 'the 24-hour window has closed: your reply goes with the human agent tag (up to 7 days)'
      : limits.windowHours && !limits.windowOpen
        ? `the ${limits.windowHours}-hour window has closed: the patient is invited back with a template first`
        : '',
  ]
    .filter(Boolean)
    .join('; ');
  const canned = extras.canned.length
    ? `<div class="field"><label for="canned">Canned response</label><select id="canned"><option value="">Choose one to insert…</option>${extras.canned
        .map((c) => `<option value="${escapeHtml(c.body)}">${escapeHtml(c.title)}</option>`)
        .join('')}</select></div>`
    : '';
  const reply = limits.replyClosed
    ? `<section aria-labelledby="reply-heading"><h2 id="reply-heading">Reply</h2>
<p class="notice" role="status">${escapeHtml(MESSENGER_CLOSED)}</p></section>`
    : `<section aria-labelledby="reply-heading"><h2 id="reply-heading">Reply</h2>
<form method="post" action="/inbox/c/${escapeHtml(view.conversationId)}/reply" id="reply-form">${csrf}${canned}
<div class="field"><label for="reply">Message to the patient</label><textarea id="reply" name="text" rows="4" maxlength="1600" required aria-describedby="reply-limits reply-count"></textarea>
<p id="reply-limits" class="hint">${escapeHtml(limitText)}.</p><p id="reply-count" class="hint" aria-live="polite"></p></div>
<div class="field check"><input type="checkbox" id="contains-phi" name="phi" value="yes"><label for="contains-phi">Contains health information</label></div>
<div class="actions"><button type="submit" name="mode" value="send">Send</button><button type="submit" name="mode" value="secure" class="secondary">Send as secure link</button></div>
</form></section>`;
  const patient = `<section aria-labelledby="patient-heading"><h2 id="patient-heading">Patient</h2><dl>
<dt>Identity</dt><dd>${view.patient.verified ? `Verified${view.patient.name ? `: ${escapeHtml(view.patient.name)}` : ''}` : 'Not verified'}</dd>
<dt>Consent</dt><dd>${view.patient.consent.length ? view.patient.consent.map((c) => escapeHtml(`${CHANNEL_LABELS[c.channel] ?? c.channel}: messages ${c.messages}, health information ${c.phi}`)).join('<br>') : 'Web chat only (no consent needed)'}</dd>
<dt>Upcoming appointments</dt><dd>${view.patient.upcoming.length ? view.patient.upcoming.map((a) => escapeHtml(`${clock(a.start, extras.timeZone)}: ${a.what} with ${a.who}, ${a.where}`)).join('<br>') : view.patient.verified ? 'None' : 'Unknown until the patient is verified'}</dd></dl></section>`;
  const notes = `<section aria-labelledby="notes-heading"><h2 id="notes-heading">Internal notes</h2>
<ul class="notes">${view.notes.map((n) => `<li><p class="meta">${escapeHtml(n.author)} · ${escapeHtml(clock(n.at, extras.timeZone))}</p><p>${escapeHtml(n.text)}</p></li>`).join('') || '<li class="empty">No notes.</li>'}</ul>
<form method="post" action="/inbox/c/${escapeHtml(view.conversationId)}/notes">${csrf}<div class="field"><label for="note">New note (staff only)</label><textarea id="note" name="text" rows="2" maxlength="4000" required></textarea></div><button type="submit" class="secondary">Add note</button></form></section>`;
  const manage = item
    ? `<section aria-labelledby="manage-heading"><h2 id="manage-heading">Transfer or close</h2>
<form method="post" action="/inbox/items/${item.itemId}/transfer">${csrf}
<div class="field"><label for="transfer-to">Transfer to</label><select id="transfer-to" name="to">${DEPARTMENTS.map((d) => `<option value="department:${d}">${escapeHtml(DEPARTMENT_LABELS[d]!)}</option>`).join('')}${extras.colleagues.map((c) => `<option value="person:${escapeHtml(c.id)}">${escapeHtml(c.name)}</option>`).join('')}</select></div>
<div class="field"><label for="transfer-note">Note for the next person</label><textarea id="transfer-note" name="note" rows="2" required></textarea></div>
<button type="submit" class="secondary">Transfer</button></form>
<form method="post" action="/inbox/items/${item.itemId}/close">${csrf}
<div class="field"><label for="outcome">Outcome</label><select id="outcome" name="outcome">${OUTCOMES.map((o) => `<option value="${o}">${escapeHtml(o.replace(/_/g, ' '))}</option>`).join('')}</select></div>
<button type="submit" class="secondary">Close conversation</button></form></section>`
    : '';
  return appPage(
    viewer,
    `${channel} conversation`,
    `${extras.flash ? `<p class="notice" role="status">${escapeHtml(extras.flash)}</p>` : ''}<p id="conversation-status">${escapeHtml(status)}</p>${ownership}
<section aria-labelledby="transcript-heading"><h2 id="transcript-heading">Transcript</h2>
<div id="transcript" role="log" aria-label="Transcript" tabindex="0" data-fragment="/inbox/fragments/c/${escapeHtml(view.conversationId)}">${transcriptFragment(view.transcript, extras.timeZone)}</div></section>
<div class="columns"><div>${reply}${notes}</div><div>${patient}${manage}</div></div>`,
    { page: 'conversation', conversation: view.conversationId },
  );
}

export function breakGlassPage(viewer: Viewer, conversationId: string, error?: string): string {
  return appPage(
    viewer,
    'Outside your departments',
    `<p>This conversation belongs to another department or location. If you must open it (for example to help a patient in an emergency), give the reason. Your access is recorded and shown to the practice's administrators.</p>
${error ? `<p class="error" role="alert" id="reason-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/inbox/c/${escapeHtml(conversationId)}/break-glass">${csrfField(viewer.csrf)}
<div class="field"><label for="reason">Reason for access</label><textarea id="reason" name="reason" rows="3" minlength="10" maxlength="500" required${error ? ' aria-describedby="reason-error" aria-invalid="true"' : ''}></textarea></div>
<button type="submit">Open with break-glass</button></form>
<p><a href="/inbox">Back to the queue</a></p>`,
  );
}

export function cannedPage(
  viewer: Viewer,
  items: ReadonlyArray<{ id: string; title: string; body: string }>,
  error?: string,
): string {
  const list = items
    .map(
      (c) => `<li><h2>${escapeHtml(c.title)}</h2><p>${escapeHtml(c.body)}</p>
<form method="post" action="/inbox/canned/${escapeHtml(c.id)}/delete">${csrfField(viewer.csrf)}<button type="submit" class="secondary" aria-label="Delete ${escapeHtml(c.title)}">Delete</button></form></li>`,
    )
    .join('');
  return appPage(
    viewer,
    'Canned responses',
    `${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}<ul class="canned">${list || '<li class="empty">None yet.</li>'}</ul>
<form method="post" action="/inbox/canned">${csrfField(viewer.csrf)}<h2>Add or replace</h2>
<div class="field"><label for="canned-title">Title</label><input id="canned-title" name="title" maxlength="80" required></div>
<div class="field"><label for="canned-body">Text</label><textarea id="canned-body" name="body" rows="3" maxlength="1600" required></textarea></div>
<button type="submit">Save</button></form>`,
  );
}
