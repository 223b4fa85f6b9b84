import { readFileSync } from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import { expect, test, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { stateFile, type ServerState } from "./server-state";
import { journeyPage } from "./sign-in";

/**
 * Step-up in the console: an action that needs a recent sign-in, tried more than ten minutes after
 * signing in, asks for the password and then goes through without being started again.
 */

const run = Date.now().toString(36);
const clientName = `Step-up Bot ${run}`;
const ELEVEN_MINUTES_MS = 11 * 60 * 1000;

/**
 * Ten minutes cannot pass inside a test, so the owner's sign-ins are moved into the past in the
 * server's own database file, as the clock would have done.
 */
async function ageOwnerSignIns() {
  const state = JSON.parse(readFileSync(stateFile(), "utf8")) as ServerState;
  const database = createClient({ url: `file:${path.join(state.tempDir, "e2e.db")}` });
  try {
    await database.execute("PRAGMA busy_timeout = 5000");
    const owner = `(select id from user where email = '${OWNER.email}')`;
    await database.execute({ sql: `update session set created_at = created_at - ? where user_id = ${owner}`, args: [ELEVEN_MINUTES_MS] });
    await database.execute(`delete from session_reauthentication where session_id in (select id from session where user_id = ${owner})`);
  } finally {
    database.close();
  }
}

async function rotate(page: Page) {
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const confirm = page.getByRole("dialog", { name: "Rotate client secret" });
  await confirm.getByRole("button", { name: "Rotate secret" }).click();
  return confirm;
}

test.describe("an old sign-in is asked to confirm before a destructive action", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;

  test.beforeAll(async ({ browser }, testInfo) => {
    page = await journeyPage(browser, testInfo, OWNER);
    const created = await page.request.post("/api/trpc/clients.create", {
      headers: { origin: testInfo.project.use.baseURL! },
      data: {
        json: { name: clientName, type: "confidential", redirectUris: ["https://bot.example.com/callback"], scopes: ["openid"], domainId: null },
      },
    });
    expect(created.status(), await created.text()).toBe(200);
  });

  test.afterAll(() => page?.close());

  test("rotating a secret asks for the password, refuses a wrong one, then rotates", async () => {
    await ageOwnerSignIns();
    await page.goto("/clients");
    await page.getByLabel("Search clients").fill(clientName);
    await page.getByRole("table", { name: "Clients" }).getByRole("link", { name: clientName }).click();
    await expect(page.getByRole("heading", { name: clientName, level: 1 })).toBeVisible();
    await rotate(page);

    const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
    await expect(stepUp).toContainText("To rotate a client secret, confirm it is you");
    await stepUp.getByLabel("Current password").fill("not-the-owner-passphrase");
    await stepUp.getByRole("button", { name: "Confirm" }).click();
    await expect(stepUp.getByText("That password is not right.")).toBeVisible();

    await stepUp.getByLabel("Current password").fill(OWNER.password);
    await stepUp.getByRole("button", { name: "Confirm" }).click();
    await expect(stepUp).toBeHidden();
    // The refused rotation was retried on its own: the new secret is on screen.
    const panel = page.getByRole("dialog", { name: `New secret for ${clientName}` });
    await expect(panel.getByLabel("Client secret")).toHaveValue(/^\w{32,}$/);
    await panel.getByRole("button", { name: "I have saved the secret" }).click();
  });

  test("within ten minutes of confirming, the next rotation is not asked again", async () => {
    await rotate(page);
    await expect(page.getByRole("dialog", { name: `New secret for ${clientName}` }).getByLabel("Client secret")).toHaveValue(/^\w{32,}$/);
    await expect(page.getByRole("dialog", { name: "Confirm it is you" })).toBeHidden();
    await page.getByRole("dialog", { name: `New secret for ${clientName}` }).getByRole("button", { name: "I have saved the secret" }).click();
  });

  test("cancelling the prompt leaves the secret as it was and says why", async () => {
    await ageOwnerSignIns();
    const confirm = await rotate(page);
    const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
    await expect(stepUp).toBeVisible();
    await stepUp.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm.getByRole("alert")).toContainText("To rotate a client secret, confirm it is you");
    await expect(page.getByRole("dialog", { name: `New secret for ${clientName}` })).toHaveCount(0);
  });
});
