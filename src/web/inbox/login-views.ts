/** The login steps: email and password, a new password, TOTP enrolment (QR code and manual key), the one-time code. */
import { escapeHtml } from '../html-escape';
import { csrfField, plainPage } from './inbox-layout';

function alert(message: string | undefined): string {
  return message ? `<p class="error" role="alert" id="form-error">${escapeHtml(message)}</p>` : '';
}

function described(message: string | undefined): string {
  return message ? ' aria-describedby="form-error" aria-invalid="true"' : '';
}

export function loginView(options: { error?: string; notice?: string; email?: string }): string {
  return plainPage(
    'Sign in',
    `${options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>` : ''}${alert(options.error)}
<form method="post" action="/inbox/login">
<div class="field"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}"${described(options.error)}></div>
<div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required${described(options.error)}></div>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function newPasswordView(csrf: string, error?: string): string {
  return plainPage(
    'Choose a new password',
    `<p>Your password was set by an administrator. Choose your own before you continue: at least 12 characters.</p>${alert(error)}
<form method="post" action="/inbox/password">${csrfField(csrf)}
<div class="field"><label for="current">Current password</label><input id="current" name="current" type="password" autocomplete="current-password" required></div>
<div class="field"><label for="next">New password</label><input id="next" name="next" type="password" autocomplete="new-password" minlength="12" required${described(error)}></div>
<div class="field"><label for="confirm">Confirm new password</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required></div>
<button type="submit">Save password</button>
</form>`,
  );
}

export function enrolView(csrf: string, enrolment: { qrSvg: string; manualKey: string }, error?: string): string {
  const key = enrolment.manualKey.replace(/(.{4})/g, '$1 ').trim();
  return plainPage(
    'Set up your authenticator app',
    `<p>Scan this QR code with an authenticator app (for example Google Authenticator or Microsoft Authenticator), then type the 6-digit code it shows.</p>
<figure class="qr"><div role="img" aria-label="QR code for your authenticator app">${enrolment.qrSvg}</div>
<figcaption>Can't scan it? Enter this key in the app: <code id="manual-key">${escapeHtml(key)}</code></figcaption></figure>${alert(error)}
<form method="post" action="/inbox/enroll">${csrfField(csrf)}
<div class="field"><label for="code">One-time code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required${described(error)}></div>
<button type="submit">Confirm</button>
</form>`,
  );
}

export function verifyView(csrf: string, error?: string): string {
  return plainPage(
    'Enter your one-time code',
    `<p>Open your authenticator app and type the 6-digit code it shows.</p>${alert(error)}
<form method="post" action="/inbox/verify">${csrfField(csrf)}
<div class="field"><label for="code">One-time code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus${described(error)}></div>
<button type="submit">Continue</button>
</form>`,
  );
}
