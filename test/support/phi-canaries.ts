/**
 * Where the PHI canary tests look for marker values (DESIGN §7): everything in Redis under a queue prefix, and a
 * data-only pg_dump of a test schema.
 */
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-config';

/** Every key under `prefix`, with its value whatever its type. */
export async function redisDump(prefix: string): Promise<string> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const parts: string[] = [];
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, '0', '-1'))
                : type === 'set'
                  ? JSON.stringify(await redis.smembers(key))
                  : type === 'zset'
                    ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                    : type === 'stream'
                      ? JSON.stringify(await redis.xrange(key, '-', '+'))
                      : '';
        parts.push(key, value ?? '');
      }
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

/** The rows of one schema as pg_dump writes them. */
export function pgDump(schema: string): string {
  return execFileSync('pg_dump', ['--data-only', `--schema=${schema}`, TEST_DATABASE_URL], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Fails naming the place and the first marker found in `text`. */
export function expectNoMarkers(markers: readonly string[], where: string, text: string): void {
  for (const marker of markers)
    expect({ where, found: text.includes(marker) ? marker : undefined }).toEqual({ where, found: undefined });
}
