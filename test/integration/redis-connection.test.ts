import { RedisUnavailableError, connectRedis } from '../../src/redis/redis-connection';
import { TEST_REDIS_URL } from '../support/test-config';

test('connects to a reachable Redis', async () => {
  const handle = await connectRedis(TEST_REDIS_URL, '/tmp');
  expect(await handle.client.ping()).toBe('PONG');
  expect(handle.child).toBeUndefined();
  await handle.close();
});

test('an unreachable configured Redis stops start-up with a message that says how to fix it', async () => {
  const attempt = connectRedis('redis://127.0.0.1:1', '/tmp');
  await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
  await expect(attempt).rejects.toThrow(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1\. Start it .* or set REDIS_URL/);
});
