import { expect, test, type APIRequestContext } from "@playwright/test";
import { OWNER } from "./accounts";
import { apiAs, signInThroughUi, signUpOverHttp } from "./sign-in";

/**
 * The domains pages show each person the controls the server says they may use, and say "no
 * access" when the server refuses to list domains at all.
 */

const run = Date.now().toString(36);
const tenant = { name: `Domain Page ${run}`, slug: `domain-page-${run}` };
const viewer = { name: "Domain Viewer", email: `domain-viewer-${run}@e2e.example.com`, password: "domain-viewer-passphrase-58" };
const outsider = { name: "Domain Outsider", email: `domain-outsider-${run}@e2e.example.com`, password: "domain-outsider-passphrase-63" };

async function trpcMutation<T>(api: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await api.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
}

test.describe.configure({ timeout: 90_000 });

let domainId: string;

test.beforeAll(async ({ browser, baseURL }) => {
  const ownerApi = await apiAs(browser, baseURL!, OWNER);
  domainId = (await trpcMutation<{ id: string }>(ownerApi, "domains.create", tenant)).id;
});

test("the owner's domain page offers every action on the domain", async ({ page }) => {
  await signInThroughUi(page, OWNER);
  await page.goto(`/domains/${domainId}`);
  await expect(page.getByRole("heading", { name: tenant.name, level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete domain" })).toBeVisible();
  await expect(page.getByRole("link", { name: "View audit log" })).toBeVisible();
  const settings = page.getByRole("form", { name: "Domain settings" });
  await expect(settings.getByRole("button", { name: "Save changes" })).toBeVisible();
  await expect(settings.getByLabel("MFA policy")).toBeEnabled();
  await expect(page.getByLabel("Search members")).toBeVisible();
});

test("a domain admin, who may only read the domain, sees it without the controls to change it", async ({ browser, baseURL, page }) => {
  await signUpOverHttp(page.request, baseURL!, viewer);
  const me = await page.request.get("/api/auth/get-session");
  const viewerId = ((await me.json()) as { user: { id: string } }).user.id;
  const ownerApi = await apiAs(browser, baseURL!, OWNER);
  await trpcMutation(ownerApi, "roles.assign", { userId: viewerId, roleId: "role_domain_admin", domainId });

  await page.goto(`/domains/${domainId}`);
  await expect(page.getByRole("heading", { name: tenant.name, level: 1 })).toBeVisible();
  await expect(page.getByText("You can view this domain but not change it")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete domain" })).toHaveCount(0);
  await expect(page.getByLabel("MFA policy")).toBeDisabled();

  await page.goto("/domains");
  await expect(page.getByRole("table", { name: "Domains" }).getByRole("link", { name: tenant.name })).toBeVisible();
  await expect(page.getByRole("button", { name: "New domain" })).toHaveCount(0);
});

test("someone who may read no domain is told so on the list and on a domain's page", async ({ baseURL, page }) => {
  await signUpOverHttp(page.request, baseURL!, outsider);
  await page.goto("/domains");
  await expect(page.getByText("You do not have access to domains.")).toBeVisible();
  await page.goto(`/domains/${domainId}`);
  await expect(page.getByText("You do not have access to domains.")).toBeVisible();
});
