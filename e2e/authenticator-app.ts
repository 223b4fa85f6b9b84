import { expect, type Locator, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";

/**
 * Turns on an authenticator app in the Security section the page shows (the account page or the
 * enrolment page) as a person does: the password, then a code made from the secret the page shows.
 * Leaves the section on the ten backup codes, for the caller to read or save. The secret is not
 * remembered for later sign-ins (`rememberTotpSecret`): a spec that types its codes by hand must not
 * have them answered for it.
 */
export async function turnOnAuthenticatorApp(
  page: Page,
  password: string,
): Promise<{ security: Locator; secret: string; totp: TOTP; backupCodes: Locator }> {
  const security = page.getByRole("region", { name: "Security" });
  await security.getByRole("button", { name: "Set up authenticator app" }).click();
  await security.getByLabel("Current password").fill(password);
  await security.getByRole("button", { name: "Continue" }).click();

  await expect(security.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await security.getByRole("code").textContent()) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]+=*$/);
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });

  await security.getByLabel("Code from the app").fill(totp.generate());
  await security.getByRole("button", { name: "Turn on" }).click();
  const backupCodes = security.getByRole("list", { name: "Backup codes" }).getByRole("listitem");
  await expect(backupCodes).toHaveCount(10);
  return { security, secret, totp, backupCodes };
}
