/**
 * Meta signs every webhook POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`. Meta escapes
 * non-ASCII (`é` arrives as `\u00e9`), so only the bytes as received verify; re-serialised JSON never does.
 */
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;

export type SignatureCheck = 'valid' | 'missing' | 'mismatch';

/** Checks the header against the raw body in constant time; a header in the wrong format is a mismatch. */
export function checkMessengerSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = SIGNATURE_PATTERN.exec(header.trim());
  if (!match) return 'mismatch';
  const expected = crypto.createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(match[1]!, 'hex');
  return crypto.timingSafeEqual(expected, given) ? 'valid' : 'mismatch';
}
