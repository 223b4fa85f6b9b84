import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { apiAs, signInOverHttp, signInThroughUi, signUpOverHttp } from "./sign-in";

/**
 * The console's home shows the caller's part of the installation: the owner sees every sign-in,
 * failed ones included; a domain admin sees only the sign-ins filed under their domain.
 */

const run = Date.now().toString(36);
const account = (name: string) => ({ name: `Dashboard ${name}`, email: `dashboard-${name}-${run}@e2e.example.com`, password: `dashboard-${name}-passphrase-${run}` });
const domainAdmin = account("admin");
const memberA = account("member-a");
const memberB = account("member-b");

async function trpcMutation<T>(api: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await api.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

async function userIdOf(request: APIRequestContext): Promise<string> {
  const me = await request.get("/api/auth/get-session");
  return ((await me.json()) as { user: { id: string } }).user.id;
}

/** The sign-in figures as the chart's caption (its text alternative) states them. */
async function signInFigures(page: Page): Promise<{ succeeded: number; failed: number }> {
  const caption = page.getByText(/succeeded and [\d,]+ failed sign-ins/);
  await expect(caption).toBeVisible();
  const [, succeeded, failed] = (await caption.textContent())!.match(/([\d,]+) succeeded and ([\d,]+) failed/)!;
  return { succeeded: Number(succeeded!.replace(/,/g, "")), failed: Number(failed!.replace(/,/g, "")) };
}

test.describe.configure({ timeout: 120_000 });

test.beforeAll(async ({ browser, baseURL }) => {
  const ownerApi = await apiAs(browser, baseURL!, OWNER);
  const domainA = await trpcMutation<{ id: string }>(ownerApi, "domains.create", { name: `Dashboard A ${run}`, slug: `dashboard-a-${run}` });
  const domainB = await trpcMutation<{ id: string }>(ownerApi, "domains.create", { name: `Dashboard B ${run}`, slug: `dashboard-b-${run}` });
  const placements: [typeof domainAdmin, string, string][] = [
    [domainAdmin, "role_domain_admin", domainA.id],
    [memberA, "role_member", domainA.id],
    [memberB, "role_member", domainB.id],
  ];
  for (const [person, roleId, domainId] of placements) {
    const context = await browser.newContext({ baseURL });
    await signUpOverHttp(context.request, baseURL!, person);
    await trpcMutation(ownerApi, "roles.assign", { userId: await userIdOf(context.request), roleId, domainId });
    await context.close();
  }
  // Filed under each account's domain now that it has one: one sign-in in A, one and a failure in B.
  for (const person of [memberA, memberB]) {
    const context = await browser.newContext({ baseURL });
    await signInOverHttp(context.request, baseURL!, person);
    await context.close();
  }
  const refused = await ownerApi.post("/api/auth/sign-in/email", { data: { email: memberB.email, password: "not the right passphrase" } });
  expect(refused.status()).toBe(401);
});

test("the owner sees sign-ins, failed ones, and every section, with a range switch kept in the URL", async ({ page }) => {
  await signInThroughUi(page, OWNER);
  await expect(page.getByRole("heading", { name: "Sign-ins", level: 2 })).toBeVisible();
  const figures = await signInFigures(page);
  expect(figures.succeeded).toBeGreaterThanOrEqual(3);
  expect(figures.failed).toBeGreaterThanOrEqual(1);
  // The chart is drawn, and its figures are in a table for assistive technology.
  await expect(page.getByTestId(/^chart-Sign-ins/).locator("svg.recharts-surface").first()).toBeVisible();
  await expect(page.getByRole("table", { name: /Sign-ins by hour/ })).toBeAttached();
  for (const section of ["MCP calls", "Sessions and grants", "Second-factor coverage", "Recent security events", "Clients registered this week"]) {
    await expect(page.getByRole("heading", { name: section, level: 2 })).toBeVisible();
  }

  await page.getByRole("button", { name: "Last 7 days" }).click();
  await expect(page).toHaveURL(/[?&]range=7d/);
  await expect(page.getByRole("table", { name: /Sign-ins by day \(UTC\), last 7 days/ })).toBeAttached();
  await page.reload();
  await expect(page.getByRole("button", { name: "Last 7 days" })).toHaveAttribute("aria-pressed", "true");
  expect((await signInFigures(page)).failed).toBeGreaterThanOrEqual(1);
});

test("a domain admin sees only their domain's sign-ins", async ({ page }) => {
  await signInThroughUi(page, domainAdmin);
  await expect(page.getByRole("heading", { name: "Sign-ins", level: 2 })).toBeVisible();
  // Member A's sign-in and their own; member B's sign-in and failure are in another domain.
  expect(await signInFigures(page)).toEqual({ succeeded: 2, failed: 0 });
  await expect(page.getByRole("heading", { name: "Sessions and grants", level: 2 })).toBeVisible();
  await expect(page.getByText("No client registered itself (dynamic registration) in the last 7 days.")).toBeVisible();
});

// Until the shell collapses its 240 px sidebar on phones, the console's main column is a phone's
// width (390 px) in a 630 px window; the dashboard must fit that column without scrolling sideways.
test("the dashboard fits a phone-wide column", async ({ page }) => {
  await page.setViewportSize({ width: 630, height: 844 });
  await signInThroughUi(page, domainAdmin);
  await expect(page.getByRole("heading", { name: "Sign-ins", level: 2 })).toBeVisible();
  const overflow = await page.evaluate(() => document.querySelector("main")!.scrollWidth - document.querySelector("main")!.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
