/**
 * The whole product with the Twilio-compatible fake, for one test file: started before its tests and stopped after
 * them. The returned holder is filled in `beforeAll`; tests read `product.setup` and `product.app`.
 */
import { Queue } from 'bullmq';
import type { App, AppOptions } from '../../../src/app';
import type { ReminderJobData } from '../../../src/queues/appointment-reminder-queue';
import { startTestApp } from '../../support/test-app';
import { type TwilioProductSetup, setUpTwilioProduct } from '../../integration/twilio/twilio-test-kit';

export interface SmsProduct {
  setup: TwilioProductSetup;
  app: App;
}

export function smsProductForThisFile(
  overrides: () => Promise<Record<string, string>> | Record<string, string> = () => ({}),
  options: AppOptions = {},
): SmsProduct {
  const product = {} as SmsProduct;
  beforeAll(async () => {
    product.setup = await setUpTwilioProduct(await overrides());
    ({ app: product.app } = await startTestApp(product.setup.environment.config, options, product.setup.port));
  }, 60_000);
  afterAll(async () => {
    await product.app?.stop();
    await product.setup?.cleanup();
  });
  return product;
}

/** The reminder queue of the product under test, to see which reminders wait (close it after). */
export function reminderQueue(setup: TwilioProductSetup): Queue<ReminderJobData> {
  return new Queue<ReminderJobData>('appointment-reminder', {
    connection: { url: setup.environment.env.REDIS_URL },
    prefix: setup.environment.env.QUEUE_PREFIX,
  });
}
