/**
 * Server-rendered HTML of the secure page. Forms have no `action` (they post to the page's own address), so no page
 * contains the token; pages of different links differ only by their CSRF tokens. Every value is HTML-escaped.
 */
import type { SecurePageLanguage } from '../../identity/secure-links';
import { escapeHtml } from '../html-escape';
import { IDLE_SIGN_OUT_SCRIPT, SECURE_PAGE_STYLES } from './secure-page-assets';
import { SECURE_PAGE_TEXT, type SecurePageText } from './secure-page-text';
import type { FormStep, SecurePageView, WithheldContent } from './secure-page-types';

export interface RenderContext {
  readonly language: SecurePageLanguage;
  readonly practiceName: string;
  readonly practicePhone: string;
  readonly idleTimeoutMs: number;
  /** The date inputs may not go past (YYYY-MM-DD). */
  readonly today: string;
  readonly csrfToken: (step: FormStep) => string;
  /** The date-of-birth form asks for the phone on record too. */
  readonly asksForPhone: boolean;
  /** The date-of-birth form offers sending the code by email. */
  readonly offersEmail: boolean;
}

export function renderSecurePage(view: SecurePageView, context: RenderContext): string {
  const text = SECURE_PAGE_TEXT[context.language];
  const { heading, body } = renderMain(view, context, text);
  const script = view.page === 'content' ? `\n<script>${IDLE_SIGN_OUT_SCRIPT}</script>` : '';
  return `<!doctype html>
<html lang="${context.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(`${heading} – ${context.practiceName}`)}</title>
<link rel="icon" href="data:,">
<style>${SECURE_PAGE_STYLES}</style>
</head>
<body>
<header class="bar"><p><strong>${escapeHtml(context.practiceName)}</strong> <span>· ${escapeHtml(text.secureNote)}</span></p></header>
<main id="main">
<h1>${escapeHtml(heading)}</h1>
${body}
</main>${script}
</body>
</html>
`;
}

function renderMain(
  view: SecurePageView,
  context: RenderContext,
  text: SecurePageText,
): { heading: string; body: string } {
  switch (view.page) {
    case 'birth-date':
      return { heading: text.birthDate.heading, body: renderBirthDateForm(view, context, text) };
    case 'code':
      return { heading: text.code.heading, body: renderCodeForm(view, context, text) };
    case 'content':
      return { heading: view.content.heading, body: renderContent(view.content, view.chatUrl, context, text) };
    case 'message': {
      const message = text.messages[view.message];
      const newLink = message.offerNewLink ? `\n<p>${escapeHtml(text.newLink)}</p>` : '';
      return {
        heading: message.heading,
        body: `<p>${escapeHtml(message.body)}</p>${newLink}\n${callUs(text.callUs, context)}`,
      };
    }
  }
}

function renderBirthDateForm(
  view: Extract<SecurePageView, { page: 'birth-date' }>,
  context: RenderContext,
  text: SecurePageText,
): string {
  const notice =
    view.notice === 'code-expired' ? `<p class="notice">${escapeHtml(text.birthDate.codeExpired)}</p>\n` : '';
  const error = view.error === 'format' ? text.birthDate.formatError : undefined;
  const intro = context.asksForPhone ? text.birthDate.introWithPhone : text.birthDate.intro;
  const phone = context.asksForPhone
    ? renderPhoneField(view.error === 'phone' ? text.birthDate.phoneError : undefined, text)
    : '';
  return `${notice}<p>${escapeHtml(intro)}</p>
${formStart('birth-date', context)}
${phone}<div class="field">
<label for="birth-date">${escapeHtml(text.birthDate.label)}</label>
${fieldError('birth-date', error)}<input id="birth-date" name="birthDate" type="date" autocomplete="bday" min="1900-01-01" max="${escapeHtml(context.today)}" required${invalidAttributes('birth-date', error, [])}>
</div>
${context.offersEmail ? renderDeliveryChoice(text) : ''}
<button type="submit">${escapeHtml(text.birthDate.submit)}</button>
</form>`;
}

function renderDeliveryChoice(text: SecurePageText): string {
  return `<fieldset class="field">
<legend>${escapeHtml(text.byEmail.legend)}</legend>
<label class="choice"><input type="radio" name="via" value="sms" checked> ${escapeHtml(text.byEmail.textOption)}</label>
<label class="choice"><input type="radio" name="via" value="email"> ${escapeHtml(text.byEmail.emailOption)}</label>
</fieldset>
`;
}

function renderPhoneField(error: string | undefined, text: SecurePageText): string {
  return `<div class="field">
<label for="phone">${escapeHtml(text.birthDate.phoneLabel)}</label>
<p class="hint" id="phone-hint">${escapeHtml(text.birthDate.phoneHint)}</p>
${fieldError('phone', error)}<input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="30" required${invalidAttributes('phone', error, ['phone-hint'])}>
</div>
`;
}

function renderCodeForm(
  view: Extract<SecurePageView, { page: 'code' }>,
  context: RenderContext,
  text: SecurePageText,
): string {
  // The words follow the patient's own choice of delivery, never the record.
  const words = view.via === 'email' ? { ...text.code, ...text.byEmail } : text.code;
  const error = view.error === 'wrong' ? words.wrong : view.error === 'format' ? words.formatError : undefined;
  return `<p>${escapeHtml(words.intro)}</p>
${formStart('code', context)}
<div class="field">
<label for="code">${escapeHtml(text.code.label)}</label>
<p class="hint" id="code-hint">${escapeHtml(words.hint)}</p>
${fieldError('code', error)}<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required autofocus${invalidAttributes('code', error, ['code-hint'])}>
</div>
<button type="submit">${escapeHtml(text.code.submit)}</button>
</form>
<p class="small">${escapeHtml(text.code.noCode)} <a href="?restart=1">${escapeHtml(text.code.restart)}</a></p>`;
}

function renderContent(
  content: WithheldContent,
  chatUrl: string | undefined,
  context: RenderContext,
  text: SecurePageText,
): string {
  const items = content.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('');
  const chat =
    chatUrl === undefined
      ? ''
      : `<a class="button" href="${escapeHtml(chatUrl)}">${escapeHtml(text.content.chat)}</a>\n`;
  const phone = chatUrl === undefined ? `${callUs(text.content.callUs, context)}\n` : '';
  const idleMinutes = Math.max(1, Math.round(context.idleTimeoutMs / 60_000));
  return `${items ? `<ul class="items">${items}</ul>` : ''}
<div class="actions">
${chat}${formStart('sign-out', context, ` id="sign-out" data-idle-ms="${context.idleTimeoutMs}"`)}<input type="hidden" name="reason" value="manual"><button type="submit" class="secondary">${escapeHtml(text.content.signOut)}</button></form>
</div>
${phone}<p class="small">${escapeHtml(text.content.idleNote(idleMinutes))}</p>`;
}

function formStart(step: FormStep, context: RenderContext, attributes = ''): string {
  return `<form method="post"${attributes}><input type="hidden" name="step" value="${step}"><input type="hidden" name="csrf" value="${escapeHtml(context.csrfToken(step))}">`;
}

function fieldError(field: string, error: string | undefined): string {
  return error === undefined ? '' : `<p class="error" id="${field}-error">${escapeHtml(error)}</p>\n`;
}

/** aria-describedby (hint, then error) and aria-invalid for a field. */
function invalidAttributes(field: string, error: string | undefined, describedBy: readonly string[]): string {
  const ids = error === undefined ? describedBy : [...describedBy, `${field}-error`];
  return `${ids.length > 0 ? ` aria-describedby="${ids.join(' ')}"` : ''}${error === undefined ? '' : ' aria-invalid="true"'}`;
}

function callUs(lead: string, context: RenderContext): string {
  const tel = `tel:${context.practicePhone.replace(/[^+\d]/g, '')}`;
  return `<p>${escapeHtml(lead)} <a href="${escapeHtml(tel)}">${escapeHtml(context.practicePhone)}</a>.</p>`;
}
