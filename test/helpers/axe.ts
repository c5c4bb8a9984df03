/**
 * What axe finds that matters on a page: serious and critical violations against WCAG 2.2 AA, in
 * words a failure message can show. One place for every e2e file that checks a surface.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Result } from "axe-core";
import type { Page } from "playwright-core";
import { expect } from "vitest";

export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  expect(results.passes.length, "axe ran its checks on the page").toBeGreaterThan(10);
  return results.violations
    .filter((violation: Result) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}\n  ${violation.nodes
          .map((node) => `${node.target.join(" ")} — ${node.failureSummary?.replace(/\n/g, " ")}`)
          .join("\n  ")}`,
    );
}
