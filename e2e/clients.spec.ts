import { expect, test, type Page } from "@playwright/test";
import { MEMBER, OWNER } from "./accounts";
import { apiAs, signInThroughUi, journeyPage } from "./sign-in";
import { toast } from "./toasts";

/**
 * The owner registers a confidential OAuth client and manages it through its life. A client secret
 * is stored only as a hash, so the console must show it once and never again: each step checks the
 * whole page (text, field values and the serialized HTML with its hydration data) for it. Then the
 * owner ends sessions from the Sessions page and the Account page, checked over HTTP from the
 * sessions that were ended.
 */

const run = Date.now().toString(36);
const clientName = `Ticket Bot ${run}`;

const WHOAMI = `/api/trpc/me.get?input=${encodeURIComponent(JSON.stringify({ json: null }))}`;

async function expectSecretNowhere(page: Page, secret: string) {
  await expect(page.getByText(secret)).toHaveCount(0);
  const values = await page.getByRole("textbox").evaluateAll((fields) => fields.map((field) => (field as HTMLInputElement).value));
  expect(values).not.toContain(secret);
  expect(await page.content()).not.toContain(secret);
}

async function openClientPage(page: Page) {
  await page.goto("/clients");
  await page.getByLabel("Search clients").fill(clientName);
  const clients = page.getByRole("table", { name: "Clients" });
  // Other specs' clients are listed until the search answers; clicking before then can hit a row being replaced.
  await expect(clients.getByRole("link")).toHaveCount(1);
  await clients.getByRole("link", { name: clientName }).click();
  await expect(page.getByRole("heading", { name: clientName, level: 1 })).toBeVisible();
}

function details(page: Page) {
  return page.getByRole("region", { name: "Details" });
}

test.describe.configure({ timeout: 90_000 });

test.describe("the owner manages a confidential client", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;
  let clientId = "";
  let firstSecret = "";

  test.beforeAll(async ({ browser }, testInfo) => {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    page = await context.newPage();
    await signInThroughUi(page, OWNER);
  });

  test.afterAll(async () => {
    await page?.context().close();
  });

  test("registering shows the secret once, with a warning and a copy button", async () => {
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Clients" }).click();
    await expect(page.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "Register client" }).click();
    const dialog = page.getByRole("dialog", { name: "Register client" });
    await expect(dialog.getByRole("radio", { name: "Confidential" })).toBeChecked();
    await dialog.getByLabel("Name", { exact: true }).fill(clientName);
    const redirectUris = dialog.getByLabel("Redirect URIs");
    await redirectUris.fill("https://tickets.example.com/oauth/callback\nhttp://tickets.example.com/insecure");
    await dialog.getByRole("checkbox", { name: "mcp:write" }).check();
    await dialog.getByRole("button", { name: "Register client" }).click();

    // The server's verdict on the plain-http line is tied to the text area, and nothing is registered.
    await expect(redirectUris).toHaveAttribute("aria-invalid", "true");
    await expect(redirectUris).toHaveAccessibleDescription(/Plain http is allowed only for localhost/);
    await expect(dialog.getByLabel("Client secret")).toHaveCount(0);

    await redirectUris.fill("https://tickets.example.com/oauth/callback\nhttp://localhost:8976/callback");
    await dialog.getByRole("button", { name: "Register client" }).click();

    await expect(dialog.getByText("you will not see it again")).toBeVisible();
    clientId = await dialog.getByLabel("Client ID").inputValue();
    firstSecret = await dialog.getByLabel("Client secret").inputValue();
    expect(clientId).toMatch(/^\w{20,}$/);
    expect(firstSecret).toMatch(/^\w{32,}$/);

    await dialog.getByRole("button", { name: "Copy client secret" }).click();
    await expect(dialog.getByText("Copied to the clipboard.")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(firstSecret);

    await dialog.getByRole("button", { name: "I have saved the secret" }).click();
    await expect(dialog).toBeHidden();
    await expectSecretNowhere(page, firstSecret);
  });

  test("the client's page shows its settings but never the secret", async () => {
    await openClientPage(page);
    await expect(details(page)).toContainText(clientId);
    await expect(details(page)).toContainText("Confidential");
    await expect(details(page)).toContainText("Installation-wide");
    await expect(page.getByRole("region", { name: "Redirect URIs" }).getByRole("listitem")).toHaveText([
      "https://tickets.example.com/oauth/callback",
      "http://localhost:8976/callback",
    ]);
    await expect(page.getByRole("region", { name: "Scopes" }).getByRole("term")).toHaveText(["openid", "mcp:read", "mcp:write"]);
    await expectSecretNowhere(page, firstSecret);

    await page.reload();
    await expect(page.getByRole("heading", { name: clientName, level: 1 })).toBeVisible();
    await expectSecretNowhere(page, firstSecret);
  });

  test("marking the client as a resource server asks first, and shows that it may introspect any client's tokens", async () => {
    await expect(details(page)).toContainText("Only its own tokens");
    await details(page).getByRole("button", { name: "Mark as resource server" }).click();
    const confirm = page.getByRole("dialog", { name: "Mark as resource server" });
    await expect(confirm).toContainText(clientName);
    await confirm.getByRole("button", { name: "Mark as resource server" }).click();
    await expect(confirm).toBeHidden();
    await expect(details(page)).toContainText("Any client's tokens: a resource server");

    await details(page).getByRole("button", { name: "Unmark resource server" }).click();
    await page.getByRole("dialog", { name: "Unmark resource server" }).getByRole("button", { name: "Unmark" }).click();
    await expect(details(page)).toContainText("Only its own tokens");
  });

  test("rotating shows a new secret once", async () => {
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const confirm = page.getByRole("dialog", { name: "Rotate client secret" });
    await expect(confirm).toContainText(clientName);
    await confirm.getByRole("button", { name: "Rotate secret" }).click();
    await expect(confirm).toBeHidden();

    const panel = page.getByRole("dialog", { name: `New secret for ${clientName}` });
    await expect(panel.getByText("you will not see it again")).toBeVisible();
    await expect(panel.getByLabel("Client ID")).toHaveValue(clientId);
    const secondSecret = await panel.getByLabel("Client secret").inputValue();
    expect(secondSecret).toMatch(/^\w{32,}$/);
    expect(secondSecret).not.toBe(firstSecret);

    await panel.getByRole("button", { name: "I have saved the secret" }).click();
    await expect(panel).toBeHidden();
    await expectSecretNowhere(page, secondSecret);

    await openClientPage(page);
    await expectSecretNowhere(page, secondSecret);
  });

  test("disabling and enabling change the client's status", async () => {
    await page.getByRole("button", { name: "Disable client" }).click();
    const confirm = page.getByRole("dialog", { name: "Disable client" });
    await expect(confirm).toContainText(clientName);
    await confirm.getByRole("button", { name: "Disable client" }).click();
    await expect(confirm).toBeHidden();
    await expect(details(page)).toContainText("Disabled");

    await page.goto("/clients");
    await page.getByLabel("Status").selectOption("disabled");
    await page.getByLabel("Search clients").fill(clientName);
    await expect(page.getByRole("table", { name: "Clients" }).getByRole("row").filter({ hasText: clientName })).toContainText("Disabled");

    await openClientPage(page);
    await page.getByRole("button", { name: "Enable client" }).click();
    await expect(details(page)).toContainText("Active");
    await expect(details(page)).not.toContainText("Disabled");
    await expect(page.getByRole("button", { name: "Disable client" })).toBeVisible();
  });

  test("deleting asks for the client's name and removes it", async () => {
    await page.getByRole("button", { name: "Delete client" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete client" });
    const submit = confirm.getByRole("button", { name: "Delete client" });
    await expect(submit).toBeDisabled();
    await confirm.getByLabel(`Type ${clientName} to confirm`).fill(clientName);
    await submit.click();

    await expect(page).toHaveURL((url) => url.pathname === "/clients");
    await page.getByLabel("Search clients").fill(clientName);
    await expect(page.getByText("No clients match these filters")).toBeVisible();

    const gone = await page.goto(`/clients/${clientId}`);
    expect(gone?.status()).toBe(404);
  });
});

test.describe("the owner ends sessions", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;

  test.beforeAll(async ({ browser }, testInfo) => (page = await journeyPage(browser, testInfo, OWNER)));
  test.afterAll(() => page?.close());

  test("revoking everything for a user from the Sessions page signs them out", async ({ browser, baseURL }) => {
    const memberApi = await apiAs(browser, baseURL!, MEMBER);
    expect((await memberApi.get(WHOAMI)).status()).toBe(200);

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Sessions" }).click();
    await expect(page.getByRole("heading", { name: "Sessions & tokens", level: 1 })).toBeVisible();
    const sessions = page.getByRole("table", { name: "Browser sessions" });
    await expect(sessions.getByRole("row").filter({ hasText: OWNER.email }).filter({ hasText: "This session" })).toBeVisible();

    await page.getByLabel("User", { exact: true }).fill(MEMBER.email);
    await expect(sessions.getByRole("row").filter({ hasText: OWNER.email })).toHaveCount(0);
    await expect(sessions.getByRole("row").filter({ hasText: MEMBER.email }).first()).toBeVisible();

    await page.getByRole("button", { name: `Revoke everything for ${MEMBER.email}` }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke everything for this user" });
    await expect(confirm).toContainText(MEMBER.email);
    await confirm.getByRole("button", { name: "Revoke everything" }).click();
    await expect(confirm).toBeHidden();
    await expect(toast(page, /browser sessions?\.$/)).toBeVisible();
    await expect(page.getByText("This user has no browser sessions")).toBeVisible();

    expect((await memberApi.get(WHOAMI)).status()).toBe(401);
  });

  test("ending the other sessions from the Account page keeps only this one", async ({ browser, baseURL }) => {
    const otherBrowser = await apiAs(browser, baseURL!, OWNER);
    expect((await otherBrowser.get(WHOAMI)).status()).toBe(200);

    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Account" }).click();
    const sessions = page.getByRole("region", { name: "Sessions", exact: true });
    await expect(sessions.getByText("This device")).toBeVisible();
    await expect(sessions.getByRole("button", { name: /^End the session on / }).first()).toBeVisible();

    await sessions.getByRole("button", { name: "End all other sessions" }).click();
    const confirm = page.getByRole("dialog", { name: "End all other sessions" });
    await confirm.getByRole("button", { name: "End other sessions" }).click();
    await expect(confirm).toBeHidden();
    await expect(toast(page, /other sessions? (was|were) ended\.$/)).toBeVisible();
    await expect(sessions.getByRole("button", { name: /^End the session on / })).toHaveCount(0);
    await expect(sessions.getByText("This device")).toBeVisible();

    expect((await otherBrowser.get(WHOAMI)).status()).toBe(401);
    expect((await page.request.get(WHOAMI)).status()).toBe(200);
  });
});

test("the owner sees how many clients registered themselves, and when an unused one is removed", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signInThroughUi(page, OWNER);
  // What Cursor sends: a private-use redirect with a host, registered with no configuration.
  const registered = await page.request.post("/api/auth/oauth2/register", {
    headers: { origin: baseURL! },
    data: { client_name: `Cursor ${run}`, redirect_uris: ["cursor://anysphere.cursor-mcp/oauth/callback"], token_endpoint_auth_method: "none" },
  });
  expect(registered.status(), await registered.text()).toBe(201);

  await page.goto("/clients");
  const summary = page.getByRole("region", { name: "Self-registered clients" });
  await expect(summary).toBeVisible();
  const lastDay = summary.getByRole("definition").first();
  expect(Number(await lastDay.textContent())).toBeGreaterThanOrEqual(1);
  await expect(summary).toContainText("is removed (GATEHOUSE_UNUSED_CLIENT_DAYS)");
  await expect(summary).toContainText(/The next unused client goes on .+ unless someone authorizes it first\./);
  await context.close();
});
