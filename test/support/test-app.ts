/** The whole product in the test process (HTTP and workers), and a patient writing in through the dev outbox. */
import { type App, type AppOptions, createApp } from '../../src/app';
import type { Config } from '../../src/config';

/** `port` 0 picks a free one; give the configured PORT when PUBLIC_URL (webhook signatures, links) points at it. */
export async function startTestApp(
  config: Config,
  options: AppOptions = {},
  port = 0,
): Promise<{ app: App; base: string }> {
  const app = await createApp(config, { logDestination: { write: () => undefined }, ...options });
  try {
    await app.startWorkers();
    return { app, base: `http://127.0.0.1:${await app.listen(port)}` };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/** POSTs the dev outbox's "send as patient" form; resolves with the HTTP status (303 when accepted). */
export async function writeInAsPatient(base: string, from: string, text: string, channel = 'sms'): Promise<number> {
  const response = await fetch(`${base}/dev/outbox/inbound`, {
    method: 'POST',
    body: new URLSearchParams({ channel, from, text }),
    redirect: 'manual',
  });
  return response.status;
}
