import { VisitorTokens } from '../../../src/channels/webchat/visitor-token';

const tokens = new VisitorTokens(Buffer.alloc(32, 3), 60);

test('a token issued for a visitor verifies to that visitor until it expires', () => {
  const now = Date.UTC(2026, 10, 22);
  const { token, visitorId } = tokens.issue(undefined, now);
  expect(tokens.verify(token, now + 1000)).toBe(visitorId);
  expect(tokens.verify(token, now + 61_000)).toBeUndefined();
});

test('forged, altered or foreign tokens are refused', () => {
  const { token } = tokens.issue();
  const [version, visitor, expires, signature] = token.split('.');
  expect(tokens.verify(`${version}.${visitor}.${Number(expires) + 1000}.${signature}`)).toBeUndefined();
  expect(tokens.verify(`${version}.${'1'.repeat(8)}-0000-0000-0000-000000000000.${expires}.${signature}`)).toBeUndefined();
  expect(new VisitorTokens(Buffer.alloc(32, 4)).verify(token)).toBeUndefined();
  expect(tokens.verify('garbage')).toBeUndefined();
});

test('a token can be issued with a shorter life (the verified chat ends with the secure-page session)', () => {
  const now = Date.UTC(2026, 10, 22);
  const { token, visitorId } = tokens.issue(undefined, now, 10);
  expect(tokens.verify(token, now + 9_000)).toBe(visitorId);
  expect(tokens.verify(token, now + 11_000)).toBeUndefined();
});
