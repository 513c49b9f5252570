import { KeyRing, KeyRingError } from '../../../src/phi/key-ring';

const oldKey = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const newKey = `k2:${Buffer.alloc(32, 2).toString('base64')}`;

test('encrypts with AES-256-GCM under the active key and decrypts back', () => {
  const ring = new KeyRing(oldKey);
  const sealed = ring.encrypt('Test Patient, 555-0100');
  expect(sealed).toMatch(/^v1:k1:/);
  expect(sealed).not.toContain('Test Patient');
  expect(ring.encrypt('same')).not.toBe(ring.encrypt('same'));
  expect(ring.decrypt(sealed)).toBe('Test Patient, 555-0100');
});

test('rotation: new values use the first key, old ones stay readable, blind indexes stay stable', () => {
  const before = new KeyRing(oldKey);
  const after = new KeyRing(`${newKey},${oldKey}`);
  const old = before.encrypt('hello');
  expect(after.decrypt(old)).toBe('hello');
  expect(after.encrypt('hello')).toMatch(/^v1:k2:/);
  expect(after.blindIndex('phone', '+15550100')).toBe(before.blindIndex('phone', '+15550100'));
  expect(after.blindIndex('phone', '+15550100')).not.toBe(after.blindIndex('email', '+15550100'));
});

test('tampering and unknown keys are refused', () => {
  const ring = new KeyRing(oldKey);
  const sealed = ring.encrypt('hello');
  const parts = sealed.split(':');
  const body = Buffer.from(parts[3]!, 'base64');
  body[0] = body[0]! ^ 1;
  expect(() => ring.decrypt([...parts.slice(0, 3), body.toString('base64')].join(':'))).toThrow();
  expect(() => new KeyRing(newKey).decrypt(sealed)).toThrow(/key k1 is not in the ring/);
  expect(() => new KeyRing('k1:c2hvcnQ=')).toThrow(KeyRingError);
});
