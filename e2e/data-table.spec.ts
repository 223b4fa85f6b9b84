import { expect, test, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { apiAs, journeyPage } from "./sign-in";

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
