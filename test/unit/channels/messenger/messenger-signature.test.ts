/**
 * X-Hub-Signature-256 is checked over the raw bytes: each fixture is signed here with a test secret exactly as it
 * sits on disk, and a body re-serialised from the parsed JSON (Meta's escapes undone) must not verify.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkMessengerSignature } from '../../../../webhooks/messenger/messenger-signature';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/messenger');
const TEST_APP_SECRET = 'test-app-secret-not-real';

const readFixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const sign = (body: Buffer | string, secret = TEST_APP_SECRET) =>
  `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

test('a signature over the exact bytes verifies', () => {
  for (const name of ['text-message.json', 'batch-two-users-mixed-events.json', 'message-non-ascii-escaped.json']) {
    const body = readFixture(name);
    expect(checkMessengerSignature(body, sign(body), TEST_APP_SECRET)).toBe('valid');
  }
});

test('escaped non-ASCII is hashed as received, not as re-serialised JSON', () => {
  const raw = readFixture('message-non-ascii-escaped.json');
  expect(raw.toString('utf8')).toContain('qu\\u00e9');
  const reserialised = JSON.stringify(JSON.parse(raw.toString('utf8')));
  expect(reserialised).toContain('qué');
  expect(checkMessengerSignature(raw, sign(raw), TEST_APP_SECRET)).toBe('valid');
  // The same message, signed the way a hand-rolled check would compute it, does not match what Meta sent.
  expect(checkMessengerSignature(raw, sign(reserialised), TEST_APP_SECRET)).toBe('mismatch');
  expect(checkMessengerSignature(Buffer.from(reserialised), sign(raw), TEST_APP_SECRET)).toBe('mismatch');
});

test('a missing header is told apart from a wrong one', () => {
  const body = readFixture('text-message.json');
  expect(checkMessengerSignature(body, undefined, TEST_APP_SECRET)).toBe('missing');
  expect(checkMessengerSignature(body, '  ', TEST_APP_SECRET)).toBe('missing');
  expect(checkMessengerSignature(body, sign(body, 'another-secret'), TEST_APP_SECRET)).toBe('mismatch');
  expect(checkMessengerSignature(Buffer.concat([body, Buffer.from(' ')]), sign(body), TEST_APP_SECRET)).toBe(
    'mismatch',
  );
});

test('headers in the wrong format are mismatches, whatever their length', () => {
  const body = readFixture('text-message.json');
  const hex = sign(body).slice('sha256='.length);
  expect(checkMessengerSignature(body, `sha256=${hex.toUpperCase()}`, TEST_APP_SECRET)).toBe('valid');
  expect(checkMessengerSignature(body, hex, TEST_APP_SECRET)).toBe('mismatch');
  expect(checkMessengerSignature(body, `sha1=${hex}`, TEST_APP_SECRET)).toBe('mismatch');
  expect(checkMessengerSignature(body, `sha256=${hex.slice(2)}`, TEST_APP_SECRET)).toBe('mismatch');
  expect(checkMessengerSignature(body, `sha256=${hex}00`, TEST_APP_SECRET)).toBe('mismatch');
  expect(checkMessengerSignature(body, `sha256=${'z'.repeat(64)}`, TEST_APP_SECRET)).toBe('mismatch');
});
