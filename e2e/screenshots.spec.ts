import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { newDeviceContext, settled, shootBothThemes, shootForReadme } from "./screens";
import { submitSignIn } from "./sign-in";

/**
 * Every page in the light and the dark theme, at the project's size (the console project at desktop
 * size, the phone project at 390 × 844), saved under test-results/ and attached to the report. The
 * pages only a journey reaches (enrol-mfa, two-factor, consent) are saved by journeys.spec.ts; the
 * setup page exists only before the owner does, which the foundation project is past.
 *
 * At desktop size the same run refreshes the README's two pictures, docs/screenshots/dashboard.png
 * and users.png, in the light theme.
 */

const run = Date.now().toString(36);

/** The README's pictures come from the desktop run only. */
const README_PROJECT = "console";

test.describe.configure({ mode: "serial", timeout: 180_000 });

async function created<T>(api: APIRequestContext, baseURL: string, procedure: string, input: unknown): Promise<T> {
  const response = await api.post(`/api/trpc/${procedure}`, { headers: { origin: baseURL }, data: { json: input } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await settled(page);
}

test("the signed-out pages in both themes", async ({ browser }, testInfo) => {
  const context = await newDeviceContext(browser, testInfo);
  const page = await context.newPage();
  for (const [name, path] of [
    ["sign-in", "/sign-in"],
    ["sign-up", "/sign-up"],
    ["forgot-password", "/forgot-password"],
    ["not-found", "/there-is-nothing-here"],
  ] as const) {
    await open(page, path);
    await shootBothThemes(page, testInfo, name);
  }
  await context.close();
});

test("the console's pages in both themes", async ({ browser }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const context = await newDeviceContext(browser, testInfo);
  const page = await context.newPage();
  await page.goto("/sign-in");
  await submitSignIn(page, OWNER);
  await expect(page).toHaveURL((url) => url.pathname === "/");

  // A domain and a client of this run's own, so their detail pages have something to show.
  const domain = await created<{ id: string }>(page.request, baseURL, "domains.create", {
    name: `Northwind Support (${testInfo.project.name})`,
    slug: `northwind-${testInfo.project.name}-${run}`,
    description: "The support team's tenant.",
  });
  const client = await created<{ client: { clientId: string } }>(page.request, baseURL, "clients.create", {
    name: `Northwind Notes (${testInfo.project.name})`,
    type: "public",
    redirectUris: ["http://127.0.0.1:45680/callback"],
    scopes: ["openid", "profile", "mcp:read"],
    domainId: null,
    skipConsent: false,
  });

  await open(page, "/");
  await shootBothThemes(page, testInfo, "dashboard");
  if (testInfo.project.name === README_PROJECT) await shootForReadme(page, "dashboard");

  await open(page, "/users");
  await expect(page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: OWNER.email })).toBeVisible();
  await shootBothThemes(page, testInfo, "users");
  if (testInfo.project.name === README_PROJECT) await shootForReadme(page, "users");

  await page.getByLabel("Search users").fill(OWNER.email);
  await page.getByRole("button", { name: `View ${OWNER.email}` }).click();
  const drawer = page.getByRole("dialog", { name: OWNER.email });
  await expect(drawer.getByRole("heading", { name: "Roles" })).toBeVisible();
  // The drawer is modal: the page behind it, its heading included, is hidden from the accessibility tree.
  await settled(page, { heading: false });
  await shootBothThemes(page, testInfo, "user-drawer", { wholePage: false });
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();

  for (const [name, path] of [
    ["roles", "/roles"],
    ["role", "/roles/role_admin"],
    ["domains", "/domains"],
    ["domain", `/domains/${domain.id}`],
    ["clients", "/clients"],
    ["client", `/clients/${encodeURIComponent(client.client.clientId)}`],
    ["sessions", "/sessions"],
    ["audit", "/audit"],
    ["account", "/account"],
    ["console-not-found", "/there-is-nothing-here"],
  ] as const) {
    await open(page, path);
    await shootBothThemes(page, testInfo, name);
  }
  await context.close();
});
