import { expect, test, type Page } from "@playwright/test";
import type { TOTP } from "otpauth";
import { turnOnAuthenticatorApp } from "./authenticator-app";
import { signOutThroughMenu, signUpOverHttp, submitSignIn } from "./sign-in";

/**
 * TOTP through the real pages: enrolment on Account > Security, then sign-in with a code from the
 * app and with a backup code. A fresh account, because OWNER and MEMBER sign in with a password
 * alone in the other specs.
 */

const account = {
  name: "Second Factor",
  email: `mfa-${Date.now()}@example.com`,
  password: "second-factor-journey-passphrase",
};

function onPath(pathname: string) {
  return (url: URL) => url.pathname === pathname;
}

async function signOut(page: Page) {
  await signOutThroughMenu(page);
}

test.describe("two-factor journey", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;
  let totp: TOTP;
  let backupCodes: string[];

  /** The code the app shows one step ahead, so it never repeats the one used a moment before. */
  const nextCode = () => totp.generate({ timestamp: Date.now() + totp.period * 1000 });

  test.beforeAll(async ({ browser }, testInfo) => {
    const baseURL = testInfo.project.use.baseURL!;
    page = await browser.newPage({ baseURL });
    await signUpOverHttp(page.request, baseURL, account);
  });

  test.afterAll(async () => {
    await page?.close();
  });

  test("a user sets up an authenticator app and gets ten backup codes", async () => {
    await page.goto("/account");
    const enrolment = await turnOnAuthenticatorApp(page, account.password);
    const security = enrolment.security;
    totp = enrolment.totp;
    backupCodes = await enrolment.backupCodes.allTextContents();

    const download = page.waitForEvent("download");
    await security.getByRole("button", { name: "Download as text" }).click();
    expect((await download).suggestedFilename()).toBe("gatehouse-backup-codes.txt");

    await security.getByRole("button", { name: "I have saved them" }).click();
    await expect(security.getByText("10 of 10 backup codes left")).toBeVisible();
  });

  test("signing in asks for a code from the app before the console opens", async () => {
    await signOut(page);
    await submitSignIn(page, account);
    await expect(page).toHaveURL(onPath("/two-factor"));
    await page.getByLabel("Code", { exact: true }).fill(nextCode());
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(onPath("/"));
  });

  test("a backup code signs in once and the account page counts it", async () => {
    await signOut(page);
    await submitSignIn(page, account);
    await expect(page).toHaveURL(onPath("/two-factor"));
    await page.getByLabel("Code", { exact: true }).fill(backupCodes[0]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(onPath("/"));

    await page.goto("/account");
    await expect(page.getByRole("region", { name: "Security" }).getByText("9 of 10 backup codes left")).toBeVisible();
  });
});
