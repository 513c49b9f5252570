/**
 * The browser side of a secure page: one random cookie per browser (HttpOnly, SameSite=Strict, Secure over HTTPS,
 * path /s/) and per-page CSRF tokens bound to it. Before verification the cookie only anchors the CSRF tokens; at
 * verification it is replaced by a fresh one whose HMAC the link keeps, which makes it the session.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { KeyRing } from '../../phi/key-ring';
import type { FormStep } from './secure-page-types';
import { equalInConstantTime } from '../../phi/constant-time';

export const BROWSER_COOKIE = 'cc_secure';
const COOKIE_PATH = '/s/';
/** Longer than a link plus its session can live; the server decides what is still valid. */
const COOKIE_MAX_AGE_MS = 60 * 60_000;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newBrowserSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** The browser's cookie value, when it has a well-formed one. */
export function readBrowserSecret(request: Request): string | undefined {
  const header = request.get('cookie') ?? '';
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (pair.slice(0, separator).trim() !== BROWSER_COOKIE) continue;
    const value = pair.slice(separator + 1).trim();
    if (SECRET_PATTERN.test(value)) return value;
  }
  return undefined;
}

export function setBrowserCookie(response: Response, secret: string, secure: boolean): void {
  response.cookie(BROWSER_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: COOKIE_PATH,
    maxAge: COOKIE_MAX_AGE_MS,
  });
}

/** CSRF tokens: an HMAC of the link, the form and the browser's cookie, so a token works for one page only. */
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(keyRing: KeyRing) {
    this.key = keyRing.deriveSecret('secure-page-csrf');
  }

  tokenFor(linkId: string, step: FormStep, browserSecret: string): string {
    return crypto
      .createHmac('sha256', this.key)
      .update(`${linkId}\u0000${step}\u0000${browserSecret}`)
      .digest('base64url');
  }

  verify(linkId: string, step: FormStep, browserSecret: string | undefined, token: string): boolean {
    if (browserSecret === undefined) return false;
    return equalInConstantTime(this.tokenFor(linkId, step, browserSecret), token);
  }
}
