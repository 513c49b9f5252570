/**
 * Configuration for one test file: its own PostgreSQL schema (or PGlite folder), its own queue prefix and data
 * folder, so files run in parallel against the machine's real PostgreSQL and Redis.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { type Config, loadConfig } from '../../src/config';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A fixed, test-only key ring (never used outside tests). */
export const TEST_PHI_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

export interface TestEnvironment {
  readonly config: Config;
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestEnvironment(kind: 'postgres' | 'pglite', overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const id = crypto.randomBytes(5).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `concierge-test-${id}-`));
  const schema = `test_${id}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${id}`,
    PHI_KEYS: TEST_PHI_KEYS,
    LOG_LEVEL: 'info',
    ...(kind === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
    ...overrides,
  };
  return {
    config: loadConfig(env),
    env,
    async cleanup() {
      if (kind === 'postgres') await dropSchema(schema);
      await deleteRedisKeys(`${env.QUEUE_PREFIX}:`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}
