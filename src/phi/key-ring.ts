/**
 * Field encryption for PHI at rest: AES-256-GCM under a key ring. Each value carries the id of the key that sealed
 * it, so keys rotate without downtime (new writes use the first key; old values stay readable while their key is in
 * the ring). Blind indexes (HMAC-SHA256) make encrypted values findable by equality.
 */
import crypto from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

export class KeyRing {
  private readonly keys: Map<string, Buffer>;
  private readonly activeKeyId: string;
  private readonly indexKey: Buffer;

  /** @param spec `keyId:base64key` pairs separated by commas; the first key seals new values. */
  constructor(spec: string) {
    const entries = spec.split(',').map(parseKeyEntry);
    if (entries.length === 0 || !entries[0]) throw new KeyRingError('key ring is empty');
    this.keys = new Map(entries);
    this.activeKeyId = entries[0][0];
    // Blind indexes must stay stable across rotation, so they hang off the oldest key (last in the ring).
    const oldest = entries[entries.length - 1]![1];
    this.indexKey = Buffer.from(crypto.hkdfSync('sha256', oldest, Buffer.alloc(0), 'clinic-concierge blind index', 32));
  }

  static generateSpec(keyId = 'k1'): string {
    return `${keyId}:${crypto.randomBytes(32).toString('base64')}`;
  }

  encrypt(plaintext: string): string {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, this.activeKeyId, iv.toString('base64'), sealed.toString('base64')].join(':');
  }

  decrypt(value: string): string {
    const [format, keyId, ivText, sealedText] = value.split(':');
    if (format !== FORMAT || !keyId || !ivText || !sealedText) throw new KeyRingError('not an encrypted value');
    const key = this.keys.get(keyId);
    if (!key) throw new KeyRingError(`key ${keyId} is not in the ring`);
    const sealed = Buffer.from(sealedText, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(value: string): T {
    return JSON.parse(this.decrypt(value)) as T;
  }

  /** The id of the key that seals new values (the first in the ring). */
  get activeKeyIdentifier(): string {
    return this.activeKeyId;
  }

  /** A secret for another purpose (e.g. signing tokens), derived from the oldest key so it survives rotation. */
  deriveSecret(purpose: string): Buffer {
    return crypto.createHmac('sha256', this.indexKey).update(`derive\u0000${purpose}`).digest();
  }

  /** Deterministic HMAC of a normalised value, for lookups by equality. `purpose` separates index domains. */
  blindIndex(purpose: string, value: string): string {
    return crypto.createHmac('sha256', this.indexKey).update(`${purpose}\u0000${value}`).digest('base64url');
  }
}

function parseKeyEntry(entry: string): [string, Buffer] {
  const separator = entry.indexOf(':');
  const keyId = entry.slice(0, separator).trim();
  const key = Buffer.from(entry.slice(separator + 1).trim(), 'base64');
  if (separator <= 0 || key.length !== 32) throw new KeyRingError(`key ${keyId || '(unnamed)'} must be 32 bytes in base64`);
  return [keyId, key];
}
