import { expect, test, type Page } from "@playwright/test";
import { MEMBER, OWNER } from "./accounts";
import { apiAs, signInThroughUi, submitSignIn, journeyPage } from "./sign-in";

/**
 * An administrator builds a tenant and a narrow custom role through the console and gives it to a
 * new user, who then sees only what that role allows. The server's refusals are checked directly
 * over HTTP, since hidden controls prove nothing on their own.
 */

const run = Date.now().toString(36);
const tenant = { name: `Acme Support ${run}`, slug: `acme-support-${run}` };
const roleName = `support-reader-${run}`;
const agent = { name: "Support Agent", email: `agent-${run}@e2e.example.com`, password: "agent-passphrase-for-e2e-31" };

function consoleNav(page: Page) {
  return page.getByRole("navigation", { name: "Console" });
}

test.describe.configure({ timeout: 90_000 });

test.describe("an administrator delegates a narrow role in one domain", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;

  test.beforeAll(async ({ browser }, testInfo) => (page = await journeyPage(browser, testInfo)));
  test.afterAll(() => page?.close());

  test("the owner creates a domain", async () => {
    await signInThroughUi(page, OWNER);
    await consoleNav(page).getByRole("link", { name: "Domains" }).click();
    await expect(page.getByRole("heading", { name: "Domains", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "New domain" }).click();
    const dialog = page.getByRole("dialog", { name: "Create domain" });
    await dialog.getByLabel("Name", { exact: true }).fill(tenant.name);
    await dialog.getByLabel("Slug", { exact: true }).fill(tenant.slug);
    await dialog.getByRole("button", { name: "Create domain" }).click();
    await expect(dialog).toBeHidden();

    await page.getByLabel("Search domains").fill(tenant.slug);
    // The search goes into the address once typing pauses; leaving before that would be overtaken by it.
    await expect(page).toHaveURL(new RegExp(`q=${tenant.slug}`));
    await expect(page.getByRole("table", { name: "Domains" }).getByRole("link", { name: tenant.name })).toBeVisible();
  });

  test("the owner creates a custom role that can only read users", async () => {
    await consoleNav(page).getByRole("link", { name: "Roles" }).click();
    await expect(page.getByRole("heading", { name: "Roles", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "New role" }).click();
    const dialog = page.getByRole("dialog", { name: "New role" });
    await dialog.getByLabel("Name", { exact: true }).fill(roleName);
    await dialog.getByLabel("Description", { exact: true }).fill("Looks people up for support tickets.");
    await dialog.getByRole("checkbox", { name: "users:read" }).check();
    await dialog.getByRole("button", { name: "Save role" }).click();
    await expect(dialog).toBeHidden();

    await expect(page.getByRole("table", { name: "Roles" }).getByRole("link", { name: roleName })).toBeVisible();
  });

  test("the owner assigns the role to a new user in that domain only", async ({ browser, baseURL }) => {
    const visitor = await browser.newContext({ baseURL });
    const signUp = await visitor.request.post("/api/auth/sign-up/email", {
      headers: { origin: baseURL! },
      data: agent,
    });
    expect(signUp.status(), await signUp.text()).toBe(200);
    await visitor.close();

    await consoleNav(page).getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Search users").fill(agent.email);
    await page.getByRole("button", { name: `View ${agent.email}` }).click();

    const drawer = page.getByRole("dialog", { name: agent.email });
    const assign = drawer.getByRole("form", { name: "Assign a role" });
    await assign.getByLabel("Role", { exact: true }).selectOption({ label: roleName });
    await assign.getByLabel("Domain", { exact: true }).selectOption({ label: tenant.name });
    await assign.getByRole("button", { name: "Assign role" }).click();

    await expect(drawer.getByRole("button", { name: `Remove ${roleName} in ${tenant.name}` })).toBeVisible();
  });

  test("the new user sees only what the role allows", async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL });
    const agentPage = await context.newPage();
    await signInThroughUi(agentPage, agent);

    const nav = consoleNav(agentPage);
    await expect(nav.getByRole("link", { name: "Users" })).toBeVisible();
    for (const hidden of ["Roles", "Domains", "Audit"]) await expect(nav.getByRole("link", { name: hidden })).toHaveCount(0);

    await nav.getByRole("link", { name: "Users" }).click();
    const table = agentPage.getByRole("table", { name: "Users" });
    // Only the members of the agent's one domain are visible: the agent, not the owner.
    await expect(table.getByRole("button", { name: `View ${agent.email}` })).toBeVisible();
    await expect(table.getByRole("button", { name: `View ${OWNER.email}` })).toHaveCount(0);
    await expect(agentPage.getByRole("button", { name: "Create user" })).toHaveCount(0);
    await expect(agentPage.getByRole("button", { name: "Invite user" })).toHaveCount(0);

    await agentPage.goto("/roles");
    await expect(agentPage.getByText("You do not have access to roles.")).toBeVisible();
    await context.close();
  });

  test("the server refuses what the console hides", async ({ browser, baseURL }) => {
    const agentApi = await apiAs(browser, baseURL!, agent);
    const createRole = await agentApi.post("/api/trpc/roles.create", {
      data: { json: { name: `escalate-${run}`, permissions: ["users:write"] } },
    });
    expect(createRole.status()).toBe(403);

    const listDomains = await agentApi.get(`/api/trpc/domains.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
    expect(listDomains.status()).toBe(403);
  });
});

test.describe("an administrator suspends and removes accounts", () => {
  test.describe.configure({ mode: "serial" });

  const doomed = { name: "Short Lived", email: `short-lived-${run}@e2e.example.com`, password: "short-lived-passphrase-7" };
  let page: Page;

  test.beforeAll(async ({ browser }, testInfo) => (page = await journeyPage(browser, testInfo, OWNER)));
  test.afterAll(() => page?.close());

  async function openDrawer(email: string) {
    await page.goto("/users");
    await page.getByLabel("Search users").fill(email);
    await page.getByRole("button", { name: `View ${email}` }).click();
    return page.getByRole("dialog", { name: email });
  }

  test("banning signs the user out at once and the audit log records it", async ({ browser, baseURL }) => {
    const agentApi = await apiAs(browser, baseURL!, agent);
    const whoami = `/api/trpc/me.get?input=${encodeURIComponent(JSON.stringify({ json: null }))}`;
    expect((await agentApi.get(whoami)).status()).toBe(200);

    const drawer = await openDrawer(agent.email);
    await drawer.getByRole("button", { name: "Ban user" }).click();
    const confirm = page.getByRole("dialog", { name: "Ban user" });
    await expect(confirm).toContainText(agent.email);
    await confirm.getByLabel("Reason (optional)").fill("Shared their password.");
    await confirm.getByRole("button", { name: "Ban user" }).click();
    await expect(confirm).toBeHidden();
    await expect(drawer.getByRole("button", { name: "Unban user" })).toBeVisible();

    expect((await agentApi.get(whoami)).status()).toBe(401);

    await page.goto("/audit");
    await page.getByLabel("Action").selectOption("user.banned");
    await expect(page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row").filter({ hasText: "user.banned" }).first()).toBeVisible();
  });

  test("deleting asks for the email and removes the account", async ({ browser, baseURL }) => {
    const visitor = await browser.newContext({ baseURL });
    const signUp = await visitor.request.post("/api/auth/sign-up/email", { headers: { origin: baseURL! }, data: doomed });
    expect(signUp.status(), await signUp.text()).toBe(200);
    await visitor.close();

    const drawer = await openDrawer(doomed.email);
    await drawer.getByRole("button", { name: "Delete user" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete user" });
    const submit = confirm.getByRole("button", { name: "Delete user" });
    await expect(submit).toBeDisabled();
    await confirm.getByLabel(`Type ${doomed.email} to confirm`).fill(doomed.email);
    await submit.click();
    await expect(confirm).toBeHidden();

    await page.goto("/users");
    await page.getByLabel("Search users").fill(doomed.email);
    await expect(page.getByText("No users match these filters")).toBeVisible();
  });
});

test("an invited person gets the link by email, a resent link replaces it, and the newest one sets the password", async ({ browser, baseURL }) => {
  const invitee = { name: "Invited Person", email: `invited-${run}@e2e.example.com`, password: "invited-passphrase-for-e2e-5" };
  const admin = await browser.newPage({ baseURL });
  await signInThroughUi(admin, OWNER);
  await admin.goto("/users");
  await admin.getByRole("button", { name: "Invite user" }).click();
  const dialog = admin.getByRole("dialog", { name: "Invite user" });
  await dialog.getByLabel("Name", { exact: true }).fill(invitee.name);
  await dialog.getByLabel("Email", { exact: true }).fill(invitee.email);
  await dialog.getByRole("button", { name: "Invite user" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: "We emailed the link" })).toContainText(`We emailed the link to ${invitee.email}.`);
  const link = dialog.getByLabel("Invite link");
  await expect(link).toHaveValue(/\/invite\?token=/);
  const firstUrl = new URL(await link.inputValue());
  await dialog.getByRole("button", { name: "Done" }).click();

  // Until the password is set, the row says "Invited" and offers to send the invitation again.
  await admin.getByLabel("Search users").fill(invitee.email);
  const row = admin.getByRole("row").filter({ hasText: invitee.email });
  await expect(row.getByText("Invited", { exact: true })).toBeVisible();
  await row.getByRole("button", { name: `Resend invitation to ${invitee.email}` }).click();
  const confirm = admin.getByRole("dialog", { name: "Resend invitation" });
  await confirm.getByRole("button", { name: "Send invitation" }).click();
  await expect(confirm).toBeHidden();
  await expect(admin.getByText(`We emailed a new invitation link to ${invitee.email}.`)).toBeVisible();

  // Two invitations went to the address; the newest holds a link other than the one shown at first.
  await admin.goto("/dev/outbox");
  const invitations = admin.getByRole("article", { name: "You are invited to Gatehouse" }).filter({ hasText: invitee.email });
  await expect(invitations).toHaveCount(2);
  const newest = invitations.first().getByRole("link", { name: "Open the link" });
  const inviteUrl = new URL((await newest.getAttribute("href"))!);
  expect(inviteUrl.pathname).toBe("/invite");
  expect(inviteUrl.search).not.toBe(firstUrl.search);
  await admin.close();

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  // Resending ended the first link.
  await page.goto(firstUrl.pathname + firstUrl.search);
  await expect(page.getByRole("alert").filter({ hasText: "invalid, used or expired" })).toBeVisible();
  await page.goto(inviteUrl.pathname + inviteUrl.search);
  await expect(page.getByRole("heading", { name: "Accept your invitation" })).toBeVisible();
  await page.getByLabel("Password", { exact: true }).fill(invitee.password);
  await page.getByRole("button", { name: "Set your password" }).click();
  // The link sets the password and nothing more: no session until the invitee signs in.
  await expect(page.getByRole("status")).toContainText("Your password is set.");
  await page.goto("/");
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in");
  await submitSignIn(page, invitee);
  await expect(page.getByRole("heading", { name: `Welcome, ${invitee.name}`, level: 1 })).toBeVisible();

  // The link works once.
  await page.goto(inviteUrl.pathname + inviteUrl.search);
  await expect(page.getByRole("alert").filter({ hasText: "invalid, used or expired" })).toBeVisible();
  await context.close();
});

test("a member calling roles.create directly gets 403 and nothing is created", async ({ browser, baseURL }) => {
  const memberApi = await apiAs(browser, baseURL!, MEMBER);
  const response = await memberApi.post("/api/trpc/roles.create", {
    data: { json: { name: `member-made-${run}`, permissions: [] } },
  });
  expect(response.status()).toBe(403);
  const body = (await response.json()) as { error: { json: { message: string } } };
  expect(body.error.json.message).toBe("You need the roles:write permission.");

  const ownerApi = await apiAs(browser, baseURL!, OWNER);
  const roles = await ownerApi.get(`/api/trpc/roles.list?input=${encodeURIComponent(JSON.stringify({ json: { search: `member-made-${run}` } }))}`);
  expect(roles.status()).toBe(200);
  expect(((await roles.json()) as { result: { data: { json: unknown[] } } }).result.data.json).toEqual([]);
});

test("a signed-out request to a protected procedure is 401", async ({ request, baseURL }) => {
  const response = await request.post("/api/trpc/roles.create", { headers: { origin: baseURL! }, data: { json: { name: "anonymous", permissions: [] } } });
  expect(response.status()).toBe(401);
});
