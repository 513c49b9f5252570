/**
 * The chat frame page (`/chat`): its HTML, filled from `chat/chat-frame.html`, and its Content-Security-Policy,
 * which allows our own origin plus the configured practice sites to embed it.
 */
import { escapeHtml } from './html-escape';

/** scheme://host[:port], host optionally starting with `*.`: what we accept as an extra frame ancestor. */
const FRAME_ANCESTOR_PATTERN = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?$/i;

/** Fills the practice name into the chat frame template. */
export function renderChatPage(template: string, practiceName: string): string {
  return template.replaceAll('{{practiceName}}', escapeHtml(practiceName));
}

/**
 * The frame's CSP. Each extra ancestor must be an origin such as `https://www.example-clinic.com`; anything else
 * (paths, spaces, `;`, bare `*`) is refused so configuration cannot widen or break the policy.
 */
export function buildChatContentSecurityPolicy(frameAncestors: readonly string[]): string {
  const origins = frameAncestors.map((entry) => entry.trim().replace(/\/$/, ''));
  const invalid = origins.find((origin) => !FRAME_ANCESTOR_PATTERN.test(origin));
  if (invalid !== undefined) {
    throw new TypeError(`frameAncestors: "${invalid}" is not an origin like https://www.example.com`);
  }
  return [
    "default-src 'self'",
    "connect-src 'self' ws: wss:",
    ['frame-ancestors', "'self'", ...origins].join(' '),
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
  ].join('; ');
}
