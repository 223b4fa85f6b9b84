import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { signInThroughUi } from "./sign-in";

/**
 * axe (WCAG 2.0 A and AA, WCAG 2.1 AA) finds nothing on any page, in the light and the dark theme:
 * the signed-out pages, the console's pages, the shell's own overlays (navigation sheet, account
 * menu, command palette) and the audit log's event panel. The theme follows the emulated system
 * colour scheme, as it does by default.
 */

const TAGS = ["wcag2a", "wcag2aa", "wcag21aa"];

const SIGNED_OUT_PAGES = ["/sign-in", "/sign-up", "/forgot-password", "/reset-password", "/invite", "/verify-email", "/oauth-error", "/no-such-page"];

const CONSOLE_PAGES = ["/", "/users", "/roles", "/roles/role_owner", "/domains", "/clients", "/sessions", "/audit", "/account"];

const THEMES = ["light", "dark"] as const;

async function violationsOn(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return results.violations.map(
    (violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}

async function expectTheme(page: Page, theme: (typeof THEMES)[number]) {
  await expect(page.locator("html")).toHaveClass(theme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
}

async function open(page: Page, path: string, theme: (typeof THEMES)[number]) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await expectTheme(page, theme);
  // Lists and panels settle before the scan: no loading placeholder left.
  await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
}

for (const theme of THEMES) {
  test(`the signed-out pages have no axe violation in the ${theme} theme`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, colorScheme: theme });
    const page = await context.newPage();
    for (const path of SIGNED_OUT_PAGES) {
      await open(page, path, theme);
      expect(await violationsOn(page), `${path} (${theme})`).toEqual([]);
    }
    await context.close();
  });
}

test("the console's pages and overlays have no axe violation in either theme, at desktop and phone widths", async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL, colorScheme: "light" });
  const page = await context.newPage();
  await signInThroughUi(page, OWNER);
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const path of CONSOLE_PAGES) {
      await open(page, path, theme);
      expect(await violationsOn(page), `${path} (${theme})`).toEqual([]);
    }

    await page.getByRole("button", { name: /^Account menu/ }).click();
    await expect(page.getByRole("menu")).toBeVisible();
    expect(await violationsOn(page), `account menu (${theme})`).toEqual([]);
    await page.keyboard.press("Escape");

    await page.keyboard.press("Control+k");
    const palette = page.getByRole("dialog", { name: "Search the console" });
    await expect(palette).toBeVisible();
    await palette.getByRole("combobox").fill("owner");
    await expect(palette.getByRole("option").filter({ hasText: OWNER.email })).toBeVisible();
    expect(await violationsOn(page), `command palette (${theme})`).toEqual([]);
    await page.keyboard.press("Escape");

    await open(page, "/audit", theme);
    await page.getByRole("button", { name: /^Details of / }).first().click();
    await expect(page.getByRole("dialog").getByRole("region", { name: "The event's details as JSON" })).toBeVisible();
    expect(await violationsOn(page), `audit event panel (${theme})`).toEqual([]);
    await page.keyboard.press("Escape");

    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, "/users", theme);
    expect(await violationsOn(page), `/users at 390 px (${theme})`).toEqual([]);
    await page.getByRole("button", { name: "Open navigation" }).click();
    await expect(page.getByRole("dialog", { name: /navigation/ })).toBeVisible();
    expect(await violationsOn(page), `navigation sheet (${theme})`).toEqual([]);
    await page.keyboard.press("Escape");
  }
  await context.close();
});
