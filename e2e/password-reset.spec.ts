import { expect, test } from "@playwright/test";
import { submitSignIn } from "./sign-in";

/**
 * Its own account, made through sign-up, so changing the password cannot break the specs that sign
 * in as the shared accounts. The server runs with GATEHOUSE_DEV_OUTBOX=on, so the email is read
 * from /dev/outbox as a developer without SMTP would.
 */
const account = {
  name: "Reset Journey",
  email: `reset-${Date.now()}@e2e.example.com`,
  password: "first-passphrase-for-reset-journey",
};
const NEW_PASSWORD = "second-passphrase-for-reset-journey";

test("a forgotten password is reset through the emailed link, once", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Name", { exact: true }).fill(account.name);
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await page.context().clearCookies();

  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/forgot-password");
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that email address");

  await page.goto("/dev/outbox");
  const message = page.getByRole("article", { name: "Reset your Gatehouse password" }).filter({ hasText: account.email }).first();
  await message.getByRole("link", { name: "Open the link" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/reset-password" && url.searchParams.has("token"));
  const resetUrl = page.url();

  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(`${NEW_PASSWORD}-typo`);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("The two passwords do not match.")).toBeVisible();
  await page.getByLabel("Repeat the new password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password has been changed");

  await page.getByRole("link", { name: "Sign in with the new password" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in");
  await submitSignIn(page, { email: account.email, password: NEW_PASSWORD });
  await expect(page).toHaveURL((url) => url.pathname === "/");
  await page.context().clearCookies();

  await page.goto(resetUrl);
  await page.getByLabel("New password", { exact: true }).fill(account.password);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "invalid, already used or expired" })).toBeVisible();
});
