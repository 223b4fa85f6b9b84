import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type TestInfo } from "@playwright/test";

/**
 * What the journeys and the screenshots need to know about the screen they run on: contexts made
 * with the project's device (a context made by hand gets none of the project's `use`), navigation
 * that goes through the menu button on a phone, and screenshots of a page in both themes.
 */

/** The console shows its sidebar from this width up (Tailwind's `lg`), and the menu button below it. */
const SIDEBAR_FROM = 1024;

export const THEMES = ["light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

/** The project's base URL and device (viewport, touch, user agent), for contexts a serial journey makes itself. */
export function deviceOf(testInfo: TestInfo): BrowserContextOptions {
  const { baseURL, viewport, screen, isMobile, hasTouch, deviceScaleFactor, userAgent } = testInfo.project.use;
  return { baseURL, viewport, screen, isMobile, hasTouch, deviceScaleFactor, userAgent, colorScheme: "light" };
}

/** A fresh browser (no cookies, theme following the system) on the project's device. */
export function newDeviceContext(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
  return browser.newContext(deviceOf(testInfo));
}

export function onPhone(page: Page): boolean {
  return (page.viewportSize()?.width ?? SIDEBAR_FROM) < SIDEBAR_FROM;
}

/**
 * Goes to a console section the way a person would: the sidebar on a laptop, the menu button and
 * the navigation sheet on a phone (where the sidebar must not be shown at all).
 */
export async function goToSection(page: Page, label: string, heading: string | RegExp = label): Promise<void> {
  if (onPhone(page)) {
    await expect(page.getByRole("navigation", { name: "Console" })).toBeHidden();
    await page.getByRole("button", { name: "Open navigation" }).click();
    const sheet = page.getByRole("dialog", { name: "Gatehouse navigation" });
    await sheet.getByRole("link", { name: label, exact: true }).click();
    await expect(sheet).toBeHidden();
  } else {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: label, exact: true }).click();
  }
  await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
}

/**
 * Waits until what the page fetches is on screen: its heading (unless a dialog hides the page), no
 * loading placeholder, nothing busy, the network quiet.
 */
export async function settled(page: Page, options: { heading?: boolean } = {}): Promise<void> {
  if (options.heading ?? true) await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

async function showTheme(page: Page, theme: Theme): Promise<void> {
  // The theme follows the system unless someone chose one in the account menu, which these browsers never do.
  await page.emulateMedia({ colorScheme: theme });
  await expect(page.locator("html")).toHaveClass(theme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
}

/**
 * Saves the page as it is now in the light and the dark theme, as `<project>-<name>-<theme>.png`
 * in the test's output folder, attached to the report, and leaves the page in the light theme.
 * `wholePage: false` keeps to the screen (for a drawer or dialog over the page).
 * The pointer is moved away first, so no hover state is in the picture.
 */
export async function shootBothThemes(page: Page, testInfo: TestInfo, name: string, options: { wholePage?: boolean } = {}): Promise<void> {
  await page.mouse.move(0, 0);
  const screen = page.viewportSize()!;
  // The whole page in one picture by a screen as tall as the page: a full-page capture would keep
  // the sidebar and anything else sized to the screen at the first screen's height.
  if (options.wholePage ?? true) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (height > screen.height) await page.setViewportSize({ width: screen.width, height: Math.min(height, MAX_PICTURE_HEIGHT) });
  }
  for (const theme of THEMES) {
    await showTheme(page, theme);
    const file = testInfo.outputPath(`${testInfo.project.name}-${name}-${theme}.png`);
    await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
    await testInfo.attach(`${name} (${theme}, ${testInfo.project.name})`, { path: file, contentType: "image/png" });
  }
  await page.setViewportSize(screen);
  await showTheme(page, "light");
}

/** Long lists (the audit log) are cut here rather than making pictures no one scrolls through. */
const MAX_PICTURE_HEIGHT = 4000;

/** The README's pictures, kept in the repository and refreshed by every full run. */
export const README_SCREENSHOTS = path.resolve(import.meta.dirname, "..", "docs", "screenshots");

/** Writes the page as it is now, in the light theme at the viewport's size, to docs/screenshots/<name>.png. */
export async function shootForReadme(page: Page, name: string): Promise<void> {
  mkdirSync(README_SCREENSHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await showTheme(page, "light");
  await page.screenshot({ path: path.join(README_SCREENSHOTS, `${name}.png`), animations: "disabled", caret: "hide" });
}
