/**
 * Behind a load balancer the client's address comes from X-Forwarded-For, and only as far as TRUST_PROXY says:
 * per-address rate limits (the secure page's code and birth-date attempts) would otherwise count every patient as the
 * balancer, or believe an address anyone can forge.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { loadConfig } from '../../../src/config';
import { createHttpApp } from '../../../src/http/http-app';
import { createLogger } from '../../../src/observability/logger';
import { createMetrics } from '../../../src/observability/metrics';

/** The address our app sees for a request from this machine carrying `forwardedFor`, under TRUST_PROXY=`setting`. */
async function clientAddress(setting: string | undefined, forwardedFor: string): Promise<string> {
  const router = Router().get('/whoami', (req, res) => void res.json({ ip: req.ip }));
  const trustProxy = loadConfig(setting === undefined ? {} : { TRUST_PROXY: setting }).TRUST_PROXY;
  const server = http.createServer(createHttpApp(createLogger('silent'), createMetrics(), [router], trustProxy));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/whoami`, { headers: { 'x-forwarded-for': forwardedFor } });
    return ((await response.json()) as { ip: string }).ip;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('one trusted hop: the address the balancer saw, not one the client put before it', async () => {
  expect(await clientAddress('1', '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
});

test('the default trusts a proxy on this machine only; a named network that is not the peer is not believed', async () => {
  expect(await clientAddress(undefined, '203.0.113.9')).toBe('203.0.113.9');
  expect(await clientAddress('10.0.0.0/8', '203.0.113.9')).toBe('127.0.0.1');
  expect(await clientAddress('false', '203.0.113.9')).toBe('127.0.0.1');
});
