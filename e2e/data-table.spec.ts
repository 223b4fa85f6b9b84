import { expect, test, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { apiAs, journeyPage, signInOverHttp, wrongPasswordOverHttp } from "./sign-in";

/**
 * The console's data table keeps its state in the URL: the order survives a reload and walks back
 * and forward with the history, a hidden column stays hidden, a bookmarked filtered address opens
 * filtered. Selected rows are acted on after one confirmation that names them.
 */

const run = Date.now().toString(36);
// Emails and names sort in different orders, so a change of order shows in the rows.
const people = [
  { email: `dt-${run}-1@e2e.example.com`, name: "DT Charlie" },
  { email: `dt-${run}-2@e2e.example.com`, name: "DT Alpha" },
  { email: `dt-${run}-3@e2e.example.com`, name: "DT Bravo" },
];
const [charlie, alpha, bravo] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number]];
const filteredUrl = `/users?q=dt-${run}`;

test.describe.configure({ mode: "serial", timeout: 90_000 });

let page: Page;

test.beforeAll(async ({ browser }, testInfo) => {
  const api = await apiAs(browser, testInfo.project.use.baseURL!, OWNER);
  for (const person of people) {
    const response = await api.post("/api/trpc/users.create", {
      data: { json: { ...person, password: `data-table-passphrase-${run}` } },
    });
    expect(response.status(), await response.text()).toBe(200);
  }
  page = await journeyPage(browser, testInfo, OWNER);
});

test.afterAll(() => page?.close());

function usersTable(on: Page = page) {
  return on.getByRole("table", { name: "Users" });
}

/** The emails of the table's rows, top to bottom. */
async function shownEmails(on: Page = page): Promise<string[]> {
  const rows = await usersTable(on).locator("tbody tr").allTextContents();
  return rows.map((text) => people.find((person) => text.includes(person.email))?.email ?? "?");
}

async function expectOrder(order: Array<{ email: string }>, on: Page = page) {
  await expect.poll(() => shownEmails(on)).toEqual(order.map((person) => person.email));
}

function nameHeading(on: Page = page) {
  return usersTable(on).getByRole("columnheader", { name: "Name", exact: true });
}

test("a bookmarked filtered address opens filtered", async ({ browser }, testInfo) => {
  const fresh = await journeyPage(browser, testInfo, OWNER);
  await fresh.goto(`/users?q=${encodeURIComponent(bravo.email)}`);
  await expect(fresh.getByLabel("Search users")).toHaveValue(bravo.email);
  await expectOrder([bravo], fresh);
  await fresh.close();
});

test("the users list says how many users match its filters, and the second-factor filter is in the URL", async () => {
  await page.goto(filteredUrl);
  await expectOrder([charlie, alpha, bravo]);
  await expect(page.getByText("3 in total")).toBeVisible();
  // Members hold no role that requires a second factor: none of them is missing one.
  await page.getByLabel("Second factor").selectOption("missing");
  await expect(page).toHaveURL(/mfa=missing/);
  await expect(page.getByText("No users match these filters")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Second factor")).toHaveValue("missing");
  await expect(page.getByText("No users match these filters")).toBeVisible();
});

test("sorting by a column is in the URL: back and forward walk through the orders, a reload keeps the order", async () => {
  await page.goto(filteredUrl);
  // The server's order by default: by email.
  await expectOrder([charlie, alpha, bravo]);

  await nameHeading().getByRole("button").click();
  await expect(page).toHaveURL(/sort=name\.asc/);
  await expect(nameHeading()).toHaveAttribute("aria-sort", "ascending");
  await expectOrder([alpha, bravo, charlie]);

  await nameHeading().getByRole("button").click();
  await expect(page).toHaveURL(/sort=name\.desc/);
  await expectOrder([charlie, bravo, alpha]);

  await page.goBack();
  await expect(page).toHaveURL(/sort=name\.asc/);
  await expectOrder([alpha, bravo, charlie]);
  await page.goBack();
  await expect(page).not.toHaveURL(/sort=/);
  await expectOrder([charlie, alpha, bravo]);
  await page.goForward();
  await expect(page).toHaveURL(/sort=name\.asc/);
  await expectOrder([alpha, bravo, charlie]);
  await page.goForward();
  await expect(page).toHaveURL(/sort=name\.desc/);
  await expectOrder([charlie, bravo, alpha]);

  await page.reload();
  await expect(nameHeading()).toHaveAttribute("aria-sort", "descending");
  await expectOrder([charlie, bravo, alpha]);
});

test("a hidden column stays hidden after a reload", async () => {
  await page.goto(filteredUrl);
  await expect(nameHeading()).toBeVisible();
  await page.getByRole("button", { name: "Columns of the users table" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Name" }).click();
  await page.keyboard.press("Escape");
  await expect(nameHeading()).toHaveCount(0);
  await expect(page).toHaveURL(/hide=name/);
  await page.reload();
  await expect(usersTable().getByRole("columnheader", { name: "Email" })).toBeVisible();
  await expect(nameHeading()).toHaveCount(0);
});

test("two selected users are disabled after one confirmation that names them", async () => {
  await page.goto(filteredUrl);
  await expectOrder([charlie, alpha, bravo]);
  await usersTable().getByRole("checkbox", { name: `Select ${charlie.email}` }).check();
  await usersTable().getByRole("checkbox", { name: `Select ${alpha.email}` }).check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Disable selected" }).click();

  const confirm = page.getByRole("dialog", { name: "Disable 2 users" });
  await expect(confirm).toContainText(`Disable 2 users: ${charlie.email}, ${alpha.email}?`);
  await confirm.getByRole("button", { name: "Disable 2" }).click();
  await expect(confirm).toHaveCount(0);

  const rowOf = (email: string) => usersTable().getByRole("row").filter({ hasText: email });
  await expect(rowOf(charlie.email)).toContainText("Banned");
  await expect(rowOf(alpha.email)).toContainText("Banned");
  await expect(rowOf(bravo.email)).toContainText("Active");
  await expect(page.getByText("2 selected")).toHaveCount(0);
  // A disabled user cannot be disabled again: their rows offer no checkbox any more.
  await expect(usersTable().getByRole("checkbox", { name: `Select ${charlie.email}` })).toHaveCount(0);
  await expect(usersTable().getByRole("checkbox", { name: `Select ${bravo.email}` })).toBeVisible();
});

test("two selected clients are deleted after one confirmation that names them", async () => {
  const api = await apiAs(page.context().browser()!, new URL(page.url()).origin, OWNER);
  const names = [`DT Client A ${run}`, `DT Client B ${run}`];
  for (const name of names) {
    const response = await api.post("/api/trpc/clients.create", {
      data: { json: { name, type: "public", redirectUris: ["https://dt.example.com/callback"], scopes: ["openid"] } },
    });
    expect(response.status(), await response.text()).toBe(200);
  }
  // By name, so the question names them in a known order.
  await page.goto(`/clients?q=${encodeURIComponent(`DT Client`)}&sort=name.asc`);
  const clients = page.getByRole("table", { name: "Clients" });
  for (const name of names) await clients.getByRole("checkbox", { name: `Select ${name}` }).check();
  await page.getByRole("button", { name: "Delete selected" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete 2 clients" });
  await expect(confirm).toContainText(`Delete 2 clients: ${names.join(", ")}?`);
  await confirm.getByRole("button", { name: "Delete 2" }).click();
  await expect(confirm).toHaveCount(0);
  for (const name of names) await expect(clients.getByRole("link", { name })).toHaveCount(0);
});

/** The audit log's table. */
function auditTable(on: Page = page) {
  return on.getByRole("table", { name: /^Audit events/ });
}

test("an audit event's panel opens from its row, links to its actor and target, and survives a reload", async () => {
  await page.goto(`/audit?action=user.banned&search=${encodeURIComponent(charlie.email)}`);
  const row = auditTable().getByRole("row").filter({ hasText: "user.banned" });
  await expect(row).toHaveCount(1);
  await row.getByRole("cell").first().click();

  const panel = page.getByRole("dialog", { name: "user.banned" });
  await expect(panel).toBeVisible();
  await expect(page).toHaveURL(/[?&]event=/);
  const check = async () => {
    await expect(panel.getByText("Success", { exact: true })).toBeVisible();
    await expect(panel.getByRole("link", { name: OWNER.email })).toHaveAttribute("href", /^\/users\?user=/);
    await expect(panel.getByRole("link", { name: charlie.email })).toHaveAttribute("href", /^\/users\?user=/);
    // The details are all there, the banned address among them, with a way to copy them.
    await expect(panel.getByLabel("The event's details as JSON")).toContainText(`"email": "${charlie.email}"`);
    await expect(panel.getByRole("button", { name: "Copy details" })).toBeVisible();
  };
  await check();
  await page.reload();
  await expect(panel).toBeVisible();
  await check();

  // The target's link opens that user's drawer on the users page.
  await panel.getByRole("link", { name: charlie.email }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/users" && url.searchParams.has("user"));
  await expect(page.getByRole("dialog", { name: charlie.email })).toBeVisible();

  // Back returns to the log with the panel open; Escape closes it and takes ?event= out of the URL.
  await page.goBack();
  await expect(panel).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(page).not.toHaveURL(/[?&]event=/);
});

test("the actor filter finds a person's own sign-in; the result filter splits the events about them into failures and successes", async ({ browser }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const visitor = await browser.newContext({ baseURL });
  await signInOverHttp(visitor.request, baseURL, { email: bravo.email, password: `data-table-passphrase-${run}` });
  await wrongPasswordOverHttp(visitor.request, baseURL, bravo.email);
  await visitor.close();
  const signIn = /auth\.sign_in(?!_)/;
  const rows = (text: string | RegExp) => auditTable().getByRole("row").filter({ hasText: text });

  // A failed sign-in has no actor (anyone may type an address): the person's own events are their sign-in.
  await page.goto(`/audit?actor=${encodeURIComponent(bravo.email)}`);
  await expect(page.getByLabel("Actor", { exact: true })).toHaveValue(bravo.email);
  await expect(rows(signIn)).toHaveCount(1);
  await expect(rows("auth.sign_in_failed")).toHaveCount(0);

  const listed = await page.request.get(`/api/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ json: { search: bravo.email } }))}`);
  expect(listed.status(), await listed.text()).toBe(200);
  const bravoId = ((await listed.json()) as { result: { data: { json: { items: { id: string }[] } } } }).result.data.json.items[0]!.id;
  await page.goto(`/audit?targetType=user&targetId=${encodeURIComponent(bravoId)}`);
  await expect(rows("auth.sign_in_failed")).toHaveCount(1);
  await expect(rows(signIn)).toHaveCount(1);

  await page.getByLabel("Result").selectOption("failure");
  await expect(page).toHaveURL(/result=failure/);
  await expect(rows(signIn)).toHaveCount(0);
  await expect(rows("auth.sign_in_failed")).toHaveCount(1);
  await expect(auditTable().getByText("Success", { exact: true })).toHaveCount(0);

  await page.getByLabel("Result").selectOption("success");
  await expect(rows("auth.sign_in_failed")).toHaveCount(0);
  await expect(rows(signIn)).toHaveCount(1);
  await expect(rows("user.created")).toHaveCount(1);
});
