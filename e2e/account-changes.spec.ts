import { expect, test, type Page } from "@playwright/test";
import { submitSignIn, submitSignUp } from "./sign-in";
import { toast } from "./toasts";

/**
 * A person changes their own name, email address and password on the account page. Its own account,
 * made through sign-up, so these changes cannot break the specs that sign in as the shared accounts;
 * the emails are read from /dev/outbox.
 */
const stamp = Date.now();
const account = { name: "Account Journey", email: `account-${stamp}@e2e.example.com`, password: "first-passphrase-for-account-journey" };
const NEW_EMAIL = `account-moved-${stamp}@e2e.example.com`;
const NEW_PASSWORD = "second-passphrase-for-account-journey";

function outboxMessage(page: Page, subject: string, to: string) {
  return page.getByRole("article", { name: subject }).filter({ hasText: to });
}

test("a person changes their name, their email address through a link to the new one, and their password", async ({ page }) => {
  await page.goto("/sign-up");
  await submitSignUp(page, account);
  await page.goto("/sign-in");
  await submitSignIn(page, account);

  await page.goto("/account");
  const profile = page.getByRole("region", { name: "Profile" });
  await profile.getByRole("textbox", { name: "Name", exact: true }).fill("Renamed Journey");
  await profile.getByRole("button", { name: "Save name" }).click();
  await expect(toast(page, "Your name is saved.")).toBeVisible();

  await profile.getByLabel("New email address").fill(NEW_EMAIL);
  await profile.getByRole("button", { name: "Change email" }).click();
  await expect(toast(page, "on its way")).toContainText(NEW_EMAIL);
  await expect(profile.getByText(account.email, { exact: true })).toBeVisible();

  await page.goto("/dev/outbox");
  await expect(outboxMessage(page, "Someone asked to change the email address of your Gatehouse account", account.email).first()).toContainText(NEW_EMAIL);
  await outboxMessage(page, "Confirm the new email address of your Gatehouse account", NEW_EMAIL).first().getByRole("link", { name: "Open the link" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/verify-email");
  await expect(page.getByRole("status")).toContainText("Your email address is confirmed.");

  await page.goto("/account");
  await expect(profile.getByText(NEW_EMAIL, { exact: true })).toBeVisible();
  await expect(profile.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Renamed Journey");

  const password = page.getByRole("region", { name: "Password" });
  await password.getByLabel("Current password").fill("not-the-password-at-all");
  await password.getByLabel("New password").fill(NEW_PASSWORD);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("That password is not right.")).toBeVisible();
  await password.getByLabel("Current password").fill(account.password);
  await password.getByLabel("New password").fill(NEW_PASSWORD);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(toast(page, "Your password is changed")).toBeVisible();

  await page.context().clearCookies();
  await page.goto("/sign-in");
  await submitSignIn(page, { email: NEW_EMAIL, password: NEW_PASSWORD });
  await expect(page).toHaveURL((url) => url.pathname === "/");
});
