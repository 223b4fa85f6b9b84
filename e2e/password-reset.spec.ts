import { expect, test, type Page } from "@playwright/test";
import { submitSignIn, submitSignUp } from "./sign-in";

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

// The reset journey uses the account the first test signs up.
test.describe.configure({ mode: "serial" });

/** The newest message to the journey's account with this subject (`nth(1)` is the one before it). */
function outboxMessage(page: Page, subject: string) {
  return page.getByRole("article", { name: subject }).filter({ hasText: account.email });
}

async function askForResetLink(page: Page) {
  await page.goto("/forgot-password");
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that email address");
}

test("sign-up and the emailed verification link sign nobody in; the address is confirmed once its account signs in", async ({ page }) => {
  await page.goto("/sign-up");
  await submitSignUp(page, account);
  await expect(page.getByRole("status")).toContainText(`Check your email: we sent a message to ${account.email}.`);
  await expect(page.getByRole("link", { name: "Continue to sign in" })).toBeVisible();

  await page.goto("/dev/outbox");
  await outboxMessage(page, "Confirm your Gatehouse email address").first().getByRole("link", { name: "Open the link" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/verify-email");
  await expect(page.getByText("To confirm this address, sign in to the Gatehouse account it belongs to.")).toBeVisible();
  await page.getByRole("link", { name: "Sign in to confirm" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in");
  await submitSignIn(page, account);
  await expect(page).toHaveURL((url) => url.pathname === "/verify-email");
  await expect(page.getByRole("status")).toContainText("Your email address is confirmed.");
});

test("a forgotten password is reset through the newest emailed link, once", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/forgot-password");
  await askForResetLink(page);
  await askForResetLink(page);

  // Asking again killed the first link.
  await page.goto("/dev/outbox");
  await outboxMessage(page, "Reset your Gatehouse password").nth(1).getByRole("link", { name: "Open the link" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/reset-password" && url.searchParams.get("error") === "INVALID_TOKEN");
  await expect(page.getByRole("alert").filter({ hasText: "invalid, already used or expired" })).toBeVisible();

  await page.goto("/dev/outbox");
  await outboxMessage(page, "Reset your Gatehouse password").first().getByRole("link", { name: "Open the link" }).click();
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

  await page.goto("/dev/outbox");
  const confirmation = outboxMessage(page, "Your Gatehouse password was changed").first();
  await expect(confirmation).toContainText("Authenticator app: off");
  await expect(confirmation).toContainText("Passkeys: none");

  await page.goto(resetUrl);
  await page.getByLabel("New password", { exact: true }).fill(account.password);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "invalid, already used or expired" })).toBeVisible();
});
