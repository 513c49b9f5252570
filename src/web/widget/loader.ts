/**
 * Embed loader served at /widget.js. A practice adds `<script src="https://<concierge>/widget.js" async></script>` to
 * its site; this script injects a launcher button and, on first open, an iframe with the chat from our origin, so the
 * conversation (and its storage) stays isolated from the host page. Everything lives in a shadow root so the host
 * page's CSS cannot break it. The host and the frame talk only through origin-checked postMessage signals.
 */
import { parseEmbedMessage, type EmbedMessage } from './embed-messages';
import { WIDGET_STYLES } from './widget-styles';

/** Replaced at bundle time (esbuild `define`) with the practice's name. */
declare const __CC_PRACTICE_NAME__: string;

/** A custom element name (never defined) so host-page rules for `div` and the like do not match our host. */
const HOST_ELEMENT_NAME = 'clinic-concierge-widget';
const PANEL_ID = 'cc-chat-panel';
const UNREAD_TEXT_ID = 'cc-chat-unread';

interface WidgetElements {
  launcher: HTMLButtonElement;
  badge: HTMLSpanElement;
  unreadText: HTMLSpanElement;
  panel: HTMLDivElement;
}

/** Our origin, from this script's own URL; must be read while the script runs (currentScript is null later). */
function findWidgetOrigin(): string | null {
  const current = document.currentScript;
  const source =
    current instanceof HTMLScriptElement
      ? current.src
      : document.querySelector<HTMLScriptElement>('script[src$="/widget.js"]')?.src;
  if (!source) return null;
  try {
    return new URL(source, document.baseURI).origin;
  } catch {
    return null;
  }
}

function createChatIcon(): SVGSVGElement {
  const namespace = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(namespace, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(namespace, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute(
    'd',
    'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h10V9zm0-3v2h10V6z',
  );
  svg.append(path);
  return svg;
}

function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    // Constructed sheets are not inline <style>, so a strict host-page CSP does not block them.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_STYLES);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = WIDGET_STYLES;
  root.append(style);
}

function buildWidget(root: ShadowRoot, practiceName: string): WidgetElements {
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', PANEL_ID);
  launcher.setAttribute('aria-describedby', UNREAD_TEXT_ID);
  const label = document.createElement('span');
  label.textContent = 'Chat with us';
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.setAttribute('aria-hidden', 'true');
  badge.hidden = true;
  launcher.append(createChatIcon(), label, badge);

  const unreadText = document.createElement('span');
  unreadText.id = UNREAD_TEXT_ID;
  unreadText.className = 'visually-hidden';

  const panel = document.createElement('div');
  panel.id = PANEL_ID;
  panel.className = 'panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', `Chat with ${practiceName}`);
  panel.hidden = true;
  panel.addEventListener('animationend', () => panel.classList.remove('opening'));

  // The panel follows the launcher so Tab moves from the launcher into the conversation.
  root.append(launcher, unreadText, panel);
  return { launcher, badge, unreadText, panel };
}

function createChatFrame(widgetOrigin: string, practiceName: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.src = `${widgetOrigin}/chat`;
  frame.title = `Chat with ${practiceName}`;
  // The frame learns the host origin (for postMessage) from document.referrer; send at least the origin, never more.
  frame.referrerPolicy = 'origin';
  return frame;
}

function mountWidget(widgetOrigin: string, practiceName: string): void {
  if (document.querySelector(HOST_ELEMENT_NAME)) return;
  const host = document.createElement(HOST_ELEMENT_NAME);
  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root);
  const ui = buildWidget(root, practiceName);
  document.body.append(host);

  let frame: HTMLIFrameElement | null = null;
  let frameLoaded = false;
  const isOpen = (): boolean => !ui.panel.hidden;

  const focusFrame = (): void => {
    if (!frame?.contentWindow) return;
    frame.focus();
    const message: EmbedMessage = { type: 'cc:focus' };
    frame.contentWindow.postMessage(message, widgetOrigin);
  };

  const showUnread = (count: number): void => {
    ui.badge.hidden = count === 0;
    ui.badge.textContent = count > 9 ? '9+' : String(count);
    ui.unreadText.textContent = count === 0 ? '' : `${count} unread ${count === 1 ? 'message' : 'messages'}`;
  };

  const open = (): void => {
    ui.panel.hidden = false;
    ui.panel.classList.add('opening');
    ui.launcher.setAttribute('aria-expanded', 'true');
    showUnread(0);
    if (frame) {
      if (frameLoaded) focusFrame();
      return;
    }
    frame = createChatFrame(widgetOrigin, practiceName);
    frame.addEventListener('load', () => {
      frameLoaded = true;
      if (isOpen()) focusFrame();
    });
    ui.panel.append(frame);
  };

  const close = (returnFocus: boolean): void => {
    ui.panel.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'false');
    if (returnFocus) ui.launcher.focus();
  };

  ui.launcher.addEventListener('click', () => (isOpen() ? close(false) : open()));

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.defaultPrevented && isOpen()) close(true);
  });

  window.addEventListener('message', (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== widgetOrigin) return;
    const message = parseEmbedMessage(event.data);
    if (message?.type === 'cc:close') close(true);
    if (message?.type === 'cc:unread') showUnread(isOpen() ? 0 : message.count);
  });
}

function startWidget(): void {
  const widgetOrigin = findWidgetOrigin();
  if (!widgetOrigin) return;
  const mount = (): void => mountWidget(widgetOrigin, __CC_PRACTICE_NAME__);
  // An async script can run before <body> exists; mount once the document has been parsed.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
  else mount();
}

startWidget();
