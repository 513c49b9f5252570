/**
 * axe-core in a page, violations in a readable form. The script is evaluated through the DevTools protocol, which
 * the page's CSP does not govern, so pages are scanned exactly as people get them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(
  path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js'),
  'utf8',
);

interface AxeViolation {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: unknown }>;
}

/** `seriousOnly`: just the serious and critical violations; `runOptions` go to `axe.run`. */
export async function accessibilityViolations(
  page: Page,
  options: { readonly seriousOnly?: boolean; readonly runOptions?: Record<string, unknown> } = {},
): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (runOptions) => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      resultTypes: ['violations'],
      ...runOptions,
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target),
    }));
  }, options.runOptions ?? {});
  return violations
    .filter((violation) => !options.seriousOnly || violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${JSON.stringify(violation.targets)}`,
    );
}
