/**
 * Signed anonymous visitor tokens for web chat: `v1.<visitorId>.<expiresAtSeconds>.<hmac>`. A visitor proves they
 * are the one who started a conversation by presenting the token in the socket's first frame (never in a URL).
 */
import crypto from 'node:crypto';

const VERSION = 'v1';
const DEFAULT_LIFETIME_SECONDS = 30 * 24 * 3600;

export class VisitorTokens {
  constructor(
    private readonly secret: Buffer,
    private readonly lifetimeSeconds = DEFAULT_LIFETIME_SECONDS,
  ) {}

  issue(
    visitorId: string = crypto.randomUUID(),
    now = Date.now(),
    lifetimeSeconds = this.lifetimeSeconds,
  ): { token: string; visitorId: string } {
    const expiresAt = Math.floor(now / 1000) + lifetimeSeconds;
    const body = `${VERSION}.${visitorId}.${expiresAt}`;
    return { token: `${body}.${this.sign(body)}`, visitorId };
  }

  /** The visitor id of a valid, unexpired token; undefined otherwise. */
  verify(token: string, now = Date.now()): string | undefined {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [version, visitorId, expiresText, signature] = parts as [string, string, string, string];
    if (!/^[0-9a-f-]{36}$/.test(visitorId) || !/^\d{1,12}$/.test(expiresText)) return undefined;
    const expected = Buffer.from(this.sign(`${version}.${visitorId}.${expiresText}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    return Number(expiresText) * 1000 > now ? visitorId : undefined;
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
