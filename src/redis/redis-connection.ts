/**
 * Connects to Redis at REDIS_URL (default 127.0.0.1:6379). In the demo, when nothing answers there and the
 * `redis-server` binary exists, a local child server is started so `npm start` needs no setup; otherwise start-up
 * stops with a message that says how to fix it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisHandle {
  readonly url: string;
  /** For BullMQ (which needs maxRetriesPerRequest: null) and general use. */
  readonly client: Redis;
  /** A child redis-server started by us, stopped on close. */
  readonly child?: ChildProcess;
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(url: string) {
    super(
      `Redis is not reachable at ${url}. Start it (e.g. \`redis-server --daemonize yes\`), ` +
        'install it (`apt-get install redis-server`), or set REDIS_URL to a reachable server.',
    );
    this.name = 'RedisUnavailableError';
  }
}

export async function connectRedis(redisUrl: string | undefined, dataDir: string): Promise<RedisHandle> {
  const url = redisUrl ?? DEFAULT_REDIS_URL;
  if (await canReach(url)) return open(url);
  if (redisUrl !== undefined || !hasRedisServerBinary()) throw new RedisUnavailableError(url);
  const child = startLocalRedis(dataDir);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await canReach(url)) return open(url, child);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new RedisUnavailableError(url);
}

function open(url: string, child?: ChildProcess): RedisHandle {
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // Connection errors surface through commands and /readyz; an 'error' event without a listener would crash.
  client.on('error', () => undefined);
  return {
    url,
    client,
    child,
    async close() {
      await client.quit().catch(() => client.disconnect());
      child?.kill();
    },
  };
}

async function canReach(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function hasRedisServerBinary(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function startLocalRedis(dataDir: string): ChildProcess {
  const directory = path.join(dataDir, 'redis');
  fs.mkdirSync(directory, { recursive: true });
  // Append-only persistence so queued jobs survive a kill -9 of the demo.
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', '6379', '--dir', directory, '--appendonly', 'yes', '--save', ''],
    { stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  return child;
}
