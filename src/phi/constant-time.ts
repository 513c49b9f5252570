/** Comparing secrets and their hashes without leaking, through timing, how much of them matched. */
import crypto from 'node:crypto';

export function equalInConstantTime(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
