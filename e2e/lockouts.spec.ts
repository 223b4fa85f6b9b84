import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { OWNER } from "./accounts";
import { apiAs, signInThroughUi, signUpOverHttp } from "./sign-in";

/**
 * The lockouts page lists a brute-force lockout to an administrator, who clears it from there; the
 * row and its Clear button come from the server (lockouts.list and its can.unlock).
 */

const run = Date.now().toString(36);
const locked = { name: "Locked Out", email: `locked-out-${run}@e2e.example.com`, password: "locked-out-passphrase-71" };

test.describe.configure({ timeout: 90_000 });

test("an administrator sees a step-up lockout and clears it; the page passes axe", async ({ page, request, browser, baseURL }) => {
  await signUpOverHttp(request, baseURL!, locked);
  const lockedApi = await apiAs(browser, baseURL!, locked);
  // Five wrong passwords when confirming it is them lock the account's step-ups.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const answer = await lockedApi.post("/api/trpc/account.reauthenticate", { data: { json: { method: "password", password: `wrong-${attempt}-passphrase` } } });
    expect(answer.status()).toBe(400);
  }

  await signInThroughUi(page, OWNER);
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Lockouts" }).click();
  await expect(page.getByRole("heading", { name: "Lockouts", level: 1 })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: locked.email });
  await expect(row).toContainText("Confirming it is them (step-up)");
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  await row.getByRole("button", { name: `Clear the lockout of ${locked.email} (Confirming it is them (step-up))` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Clear lockout" }).click();
  await expect(row).toHaveCount(0);
  const again = await lockedApi.post("/api/trpc/account.reauthenticate", { data: { json: { method: "password", password: locked.password } } });
  expect(again.status()).toBe(200);
});
