/**
 * A practice manager's browser tab on the product under test. Signing in is the inbox's (tested there): the manager
 * starts with a live session, its cookie set on the staff paths.
 */
import type { Browser, Page } from 'playwright-core';
import { InboxHarness, type SignedInStaff } from '../../integration/inbox/inbox-harness';
import type { SmsProduct } from '../scheduling/sms-product';

export async function managerPage(
  browser: Browser,
  product: SmsProduct,
): Promise<{ page: Page; harness: InboxHarness; manager: SignedInStaff }> {
  const harness = InboxHarness.create(product.app, product.setup.publicUrl);
  const manager = await harness.signIn({
    email: 'manager@example.test',
    name: 'Test Manager',
    role: 'practice_manager',
  });
  const context = await browser.newContext();
  const [name, value] = manager.cookie.split('=') as [string, string];
  await context.addCookies(
    ['/inbox', '/admin'].map((path) => ({
      ...{ name, value, path, domain: '127.0.0.1' },
      ...{ httpOnly: true, sameSite: 'Strict' as const },
    })),
  );
  return { page: await context.newPage(), harness, manager };
}
