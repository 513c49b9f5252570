/**
 * The secure page's stylesheet and its one script (idle log-off), both inline and allowed by hash in a CSP that
 * allows nothing else: no other scripts, styles, frames, connections or form targets.
 */
import { createHash } from 'node:crypto';

/** Phone first: one column, 18px text, 52px-tall fields and buttons, inputs at 20px so iOS does not zoom. */
export const SECURE_PAGE_STYLES = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:1.125rem;line-height:1.5;color:#1f2933;background:#f5f7fa}
.bar{background:#0b5563;color:#ffffff;padding:12px 20px}
.bar p{max-width:34rem;margin:0 auto;font-size:1rem}
.bar strong{font-weight:700}
.bar span{white-space:nowrap}
main{display:block;max-width:34rem;margin:0 auto;padding:24px 20px 48px}
h1{margin:0 0 16px;font-size:1.6rem;line-height:1.25;color:#083f49}
p{margin:0 0 16px}
form{margin:0 0 24px}
a{color:#0b5563}
.field{margin:0 0 20px}
label{display:block;margin:0 0 6px;font-weight:700}
.hint{margin:0 0 8px;font-size:1rem;color:#3e4c59}
.error{margin:0 0 8px;font-weight:700;color:#b42318}
.notice{padding:12px 16px;border-left:6px solid #0b5563;background:#e3eff1}
input{display:block;width:100%;min-height:52px;padding:10px 14px;font:inherit;font-size:1.25rem;color:#1f2933;background:#ffffff;border:2px solid #52606d;border-radius:8px}
input[aria-invalid="true"]{border-color:#b42318}
fieldset{padding:0;border:0}
legend{margin:0 0 6px;padding:0;font-weight:700}
.choice{display:flex;align-items:center;gap:12px;min-height:48px;font-weight:400}
.choice input{width:24px;min-height:24px;height:24px;flex:none}
#code{max-width:14rem;letter-spacing:0.25em;font-variant-numeric:tabular-nums}
button,.button{display:block;width:100%;min-height:52px;margin:0;padding:12px 20px;font:inherit;font-weight:700;text-align:center;text-decoration:none;color:#ffffff;background:#0b5563;border:2px solid #0b5563;border-radius:8px;cursor:pointer}
button:hover,.button:hover{background:#083f49;border-color:#083f49}
.secondary{color:#0b5563;background:#ffffff}
.secondary:hover{color:#083f49;background:#e3eff1}
a:focus-visible,input:focus-visible,button:focus-visible{outline:3px solid #1a4fd6;outline-offset:2px}
.items{margin:0 0 24px;padding:0;list-style:none}
.items li{margin:0 0 10px;padding:14px 16px;background:#ffffff;border:1px solid #c4cdd5;border-radius:8px}
.actions{display:grid;gap:12px;margin:0 0 24px}
.actions form{margin:0}
.small{font-size:1rem;color:#3e4c59}
@media (min-width:40rem){main{padding-top:48px}}
`;

/**
 * Idle log-off: after `data-idle-ms` without a tap, key or scroll, submits the sign-out form with reason=idle (the
 * server then shows "You were signed out for your privacy"). Elapsed time is measured, not counted by a timer, so a
 * phone that slept signs out as soon as the page is seen again. A page restored from the back-forward cache reloads,
 * so the server decides again what it may show.
 */
export const IDLE_SIGN_OUT_SCRIPT = `(function () {
  var form = document.getElementById('sign-out');
  if (!form) return;
  var idleMs = Number(form.getAttribute('data-idle-ms')) || 300000;
  var last = Date.now();
  var done = false;
  function touch() { last = Date.now(); }
  function check() {
    if (done || Date.now() - last < idleMs) return;
    done = true;
    var reason = form.querySelector('input[name="reason"]');
    if (reason) reason.value = 'idle';
    form.submit();
  }
  ['pointerdown', 'keydown', 'touchstart', 'scroll'].forEach(function (type) {
    document.addEventListener(type, touch, { passive: true });
  });
  document.addEventListener('visibilitychange', check);
  window.addEventListener('pageshow', function (event) { if (event.persisted) window.location.reload(); });
  setInterval(check, Math.min(15000, Math.max(250, idleMs / 10)));
})();`;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

export const SECURE_PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${sha256(SECURE_PAGE_STYLES)}'`,
  `script-src 'sha256-${sha256(IDLE_SIGN_OUT_SCRIPT)}'`,
  'img-src data:',
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
