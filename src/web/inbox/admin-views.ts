/** The admin page (break-glass flags to review, staff accounts with a password reset) and the reset's result. */
import type { BreakGlassFlag, StaffAccountRow } from '../../inbox/staff-admin';
import { escapeHtml } from '../html-escape';
import { DEPARTMENT_LABELS, ROLE_LABELS, type Viewer, appPage, clock, csrfField } from './inbox-layout';

function flagRow(flag: BreakGlassFlag, csrf: string, timeZone: string): string {
  const conversation = `<a href="/inbox/c/${escapeHtml(flag.conversationId)}">Conversation ${escapeHtml(flag.conversationId.slice(0, 8))}</a>`;
  const action = flag.reviewedAt
    ? escapeHtml(`Reviewed by ${flag.reviewerName ?? 'an admin'}, ${clock(flag.reviewedAt, timeZone)}`)
    : `<form method="post" action="/inbox/admin/break-glass/${flag.grantId}/reviewed">${csrfField(csrf)}<button type="submit" class="secondary" aria-label="Mark reviewed: ${escapeHtml(flag.staffName)}, ${escapeHtml(clock(flag.openedAt, timeZone))}">Mark reviewed</button></form>`;
  return `<tr><td>${escapeHtml(clock(flag.openedAt, timeZone))}</td><td>${escapeHtml(flag.staffName)} (${escapeHtml(ROLE_LABELS[flag.staffRole] ?? flag.staffRole)})</td><td>${conversation}</td><td>${escapeHtml(flag.reason)}</td><td>${action}</td></tr>`;
}

function flagTable(id: string, caption: string, flags: readonly BreakGlassFlag[], csrf: string, timeZone: string) {
  const head =
    '<tr><th scope="col">Opened</th><th scope="col">By</th><th scope="col">Conversation</th><th scope="col">Reason given</th><th scope="col">Review</th></tr>';
  const rows = flags.map((flag) => flagRow(flag, csrf, timeZone)).join('');
  return `<h3 id="${id}">${escapeHtml(caption)}</h3><table aria-labelledby="${id}"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function accountRow(account: StaffAccountRow, viewerId: string, csrf: string): string {
  const status = [
    account.locked ? 'Locked after failed logins' : '',
    account.mustChangePassword ? 'Must set a new password' : '',
    account.totpEnrolled ? '' : 'No authenticator yet',
  ]
    .filter(Boolean)
    .join(' · ');
  const reset =
    account.id === viewerId
      ? 'Another admin resets your password.'
      : `<form method="post" action="/inbox/admin/staff/${escapeHtml(account.id)}/reset" class="stack">${csrfField(csrf)}
<label><input type="checkbox" name="authenticator" value="yes"> Also reset the authenticator (lost phone)</label>
<button type="submit" class="secondary" aria-label="Reset password of ${escapeHtml(account.name)}">Reset password</button></form>`;
  const departments = account.departments.map((d) => DEPARTMENT_LABELS[d] ?? d).join(', ');
  return `<tr><td>${escapeHtml(account.name)}<br><span class="meta">${escapeHtml(account.email)}</span></td><td>${escapeHtml(ROLE_LABELS[account.role] ?? account.role)}</td><td>${escapeHtml(departments)}</td><td>${escapeHtml(status || 'Active')}</td><td>${reset}</td></tr>`;
}

export function adminPage(
  viewer: Viewer & { readonly id: string },
  data: {
    readonly flags: { readonly open: readonly BreakGlassFlag[]; readonly reviewed: readonly BreakGlassFlag[] };
    readonly accounts: readonly StaffAccountRow[];
    readonly timeZone: string;
  },
): string {
  const { open, reviewed } = data.flags;
  const flags =
    (open.length === 0
      ? '<p class="empty">No break-glass access waits for review.</p>'
      : flagTable('flags-open', `To review (${open.length})`, open, viewer.csrf, data.timeZone)) +
    (reviewed.length === 0
      ? ''
      : flagTable('flags-reviewed', 'Recently reviewed', reviewed, viewer.csrf, data.timeZone));
  return appPage(
    viewer,
    'Admin',
    `<section aria-labelledby="flags-heading"><h2 id="flags-heading">Break-glass access</h2>
<p>Staff opened these conversations outside their departments or locations. Check each reason, then mark it reviewed.</p>${flags}</section>
<section aria-labelledby="staff-heading"><h2 id="staff-heading">Staff accounts</h2>
<p>A reset gives a one-time password to hand over in person; it signs the person out everywhere. Add people with <code>concierge staff add</code>.</p>
<table><thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Departments</th><th scope="col">Status</th><th scope="col">Password</th></tr></thead><tbody>${data.accounts.map((account) => accountRow(account, viewer.id, viewer.csrf)).join('')}</tbody></table></section>`,
  );
}

export function resetDonePage(
  viewer: Viewer,
  member: { readonly name: string; readonly email: string; readonly oneTimePassword: string },
): string {
  return appPage(
    viewer,
    'Password reset',
    `<p role="status">${escapeHtml(member.name)} (${escapeHtml(member.email)}) is signed out. Give them this one-time password in person or by phone, not by email; they choose a new one when they sign in.</p>
<p><label for="one-time-password">One-time password</label> <output id="one-time-password" class="secret">${escapeHtml(member.oneTimePassword)}</output></p>
<p>It is shown only once.</p>
<p><a href="/inbox/admin">Back to admin</a></p>`,
  );
}
