import { expect, test, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { journeyPage, signInThroughUi } from "./sign-in";

/**
 * The console's shell: the navigation as a sidebar on a laptop and as a sheet on a phone, no page
 * wider than a phone's screen, the theme switch, the command palette, the branded 404 and favicon.
 */

const CONSOLE_PAGES = ["/", "/users", "/roles", "/domains", "/clients", "/sessions", "/audit", "/account"];

/** How far the page is wider than the screen, and the outermost elements that stick out, to say what to fix. */
async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.body.querySelectorAll("*")].filter((element) => element.getBoundingClientRect().right > width + 1);
    const outermost = outside.filter((element) => !outside.includes(element.parentElement!));
    return {
      overflow: document.documentElement.scrollWidth - width,
      culprits: outermost.slice(0, 5).map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`),
    };
  });
}

test.describe("the console shell", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;

  test.beforeAll(async ({ browser }, testInfo) => {
    page = await journeyPage(browser, testInfo);
    await signInThroughUi(page, OWNER);
  });
  test.afterAll(() => page?.close());

  test("on a laptop the navigation is a sidebar and there is no menu button", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto("/users");
    const nav = page.getByRole("navigation", { name: "Console" });
    await expect(nav).toBeVisible();
    await expect(nav.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByRole("button", { name: "Open navigation" })).toBeHidden();
  });

  test("on a phone the menu button opens the navigation in a sheet that Escape and following a link close", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/users");
    await expect(page.getByRole("navigation", { name: "Console" })).toBeHidden();
    const menu = page.getByRole("button", { name: "Open navigation" });
    await menu.click();
    const sheet = page.getByRole("dialog", { name: "Gatehouse navigation" });
    await expect(sheet).toBeVisible();
    // Focus is in the sheet (Radix focuses the sheet itself rather than its first link), and Escape gives it back to the menu button.
    expect(await sheet.evaluate((element) => element.contains(document.activeElement))).toBe(true);
    await page.keyboard.press("Escape");
    await expect(sheet).toBeHidden();
    await expect(menu).toBeFocused();

    await menu.click();
    await sheet.getByRole("link", { name: "Roles" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/roles");
    await expect(sheet).toBeHidden();
    await expect(page.getByRole("heading", { name: "Roles", level: 1 })).toBeVisible();
  });

  for (const width of [390, 768]) {
    test(`no console page is wider than a ${width} px screen`, async () => {
      await page.setViewportSize({ width, height: 900 });
      for (const path of CONSOLE_PAGES) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
        const { overflow, culprits } = await horizontalOverflow(page);
        expect(overflow, `${path}: ${culprits.join(", ")}`).toBeLessThanOrEqual(0);
      }
    });
  }

  test("the theme follows the system until one is chosen in the account menu, and the choice is kept", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/account");
    const html = page.locator("html");
    await expect(html).toHaveClass(/\bdark\b/);

    await page.getByRole("button", { name: /^Account menu/ }).click();
    await page.getByRole("menuitemradio", { name: "Light" }).click();
    await expect(html).not.toHaveClass(/\bdark\b/);
    await page.reload();
    await expect(html).not.toHaveClass(/\bdark\b/);

    await page.getByRole("button", { name: /^Account menu/ }).click();
    await expect(page.getByRole("menuitemradio", { name: "Light" })).toHaveAttribute("aria-checked", "true");
    await page.getByRole("menuitemradio", { name: "System" }).click();
    await expect(html).toHaveClass(/\bdark\b/);
    await page.emulateMedia({ colorScheme: "light" });
    await expect(html).not.toHaveClass(/\bdark\b/);
  });

  test("Ctrl-K opens the command palette, which jumps to pages and finds users by name or email", async () => {
    await page.goto("/account");
    await page.keyboard.press("Control+k");
    const palette = page.getByRole("dialog", { name: "Search the console" });
    await expect(palette).toBeVisible();
    const input = palette.getByRole("combobox");
    await expect(input).toBeFocused();
    await input.fill("aud");
    await palette.getByRole("option", { name: "Audit" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/audit");
    await expect(palette).toBeHidden();

    await page.getByRole("button", { name: /^Search/ }).click();
    await expect(palette).toBeVisible();
    await input.fill(OWNER.email);
    const match = palette.getByRole("option").filter({ hasText: OWNER.email });
    await expect(match).toBeVisible();
    await input.press("ArrowDown");
    await match.click();
    await expect(page).toHaveURL((url) => url.pathname === "/users" && (url.searchParams.get("user") ?? "").length > 0);
  });

  test("an unknown address shows the branded 404 page, and the favicon is Gatehouse's", async () => {
    const response = await page.goto("/there-is-nothing-here");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found", level: 1 })).toBeVisible();
    await page.getByRole("link", { name: "Go to Gatehouse" }).click();
    await expect(page).toHaveURL((url) => url.pathname === "/");
    const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
    expect(icon).toMatch(/^\/icon\.svg/);
    const served = await page.request.get(icon!);
    expect(served.headers()["content-type"]).toContain("image/svg+xml");
  });

  test("page titles name the page", async () => {
    for (const [path, title] of [
      ["/users", "Users · Gatehouse"],
      ["/audit", "Audit log · Gatehouse"],
      ["/account", "Account · Gatehouse"],
    ] as const) {
      await page.goto(path);
      await expect(page).toHaveTitle(title);
    }
  });
});
