import { expect, test, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { turnOnAuthenticatorApp } from "./authenticator-app";
import { signInThroughUi, signOutThroughMenu, signUpOverHttp, submitSignIn } from "./sign-in";
import { toast } from "./toasts";

/**
 * What administrators see and do about second factors: the users list and drawer show who has
 * enrolled which factor, an administrator resets the factors of someone who lost their device, and
 * a custom role is made to require MFA of its holders.
 */

const run = Date.now().toString(36);
const enrolled = { name: "Lost Phone", email: `lost-phone-${run}@e2e.example.com`, password: "lost-phone-passphrase-for-e2e" };
const roleName = `mfa-guarded-${run}`;

function onPath(pathname: string) {
  return (url: URL) => url.pathname === pathname;
}

function userRow(page: Page, email: string) {
  return page.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: email });
}

test.describe.configure({ timeout: 90_000 });

test.describe("administrators and second factors", () => {
  test.describe.configure({ mode: "serial" });

  let userPage: Page;
  let adminPage: Page;

  test.beforeAll(async ({ browser }, testInfo) => {
    const baseURL = testInfo.project.use.baseURL!;
    userPage = await (await browser.newContext({ baseURL })).newPage();
    await signUpOverHttp(userPage.request, baseURL, enrolled);
    adminPage = await (await browser.newContext({ baseURL })).newPage();
  });

  test.afterAll(async () => {
    await userPage?.context().close();
    await adminPage?.context().close();
  });

  test("the user turns on an authenticator app", async () => {
    await userPage.goto("/account");
    const { security } = await turnOnAuthenticatorApp(userPage, enrolled.password);
    await security.getByRole("button", { name: "I have saved them" }).click();
    await expect(security.getByText("10 of 10 backup codes left")).toBeVisible();
  });

  test("the users list and the drawer show the enrolled factor", async () => {
    // Once for the whole file: every spec shares the per-IP sign-in limit.
    await signInThroughUi(adminPage, OWNER);
    await adminPage.goto("/users");
    await expect(adminPage.getByRole("table", { name: "Users" }).getByRole("columnheader", { name: "MFA" })).toBeVisible();
    await adminPage.getByLabel("Search users").fill(enrolled.email);
    await expect(userRow(adminPage, enrolled.email).getByRole("cell", { name: "TOTP", exact: true })).toBeVisible();

    await adminPage.getByRole("button", { name: `View ${enrolled.email}` }).click();
    const drawer = adminPage.getByRole("dialog", { name: enrolled.email });
    await expect(drawer.getByRole("definition").filter({ hasText: /^Authenticator app$/ })).toBeVisible();
  });

  test("resetting MFA asks first, removes the factor and lets the user sign in without a code", async () => {
    const drawer = adminPage.getByRole("dialog", { name: enrolled.email });
    await drawer.getByRole("button", { name: "Reset MFA" }).click();
    const confirm = adminPage.getByRole("dialog", { name: "Reset MFA" });
    await expect(confirm).toContainText(enrolled.email);
    await expect(confirm).toContainText("authenticator app, backup codes, passkeys and trusted devices");
    await confirm.getByRole("button", { name: "Reset MFA" }).click();
    await expect(confirm).toBeHidden();

    await expect(toast(adminPage, `MFA was reset for ${enrolled.email}`)).toBeVisible();
    await expect(drawer.getByRole("definition").filter({ hasText: /^Not enrolled$/ })).toBeVisible();
    await expect(drawer.getByRole("button", { name: "Reset MFA" })).toHaveCount(0);
    await drawer.getByRole("button", { name: "Close" }).click();
    await expect(userRow(adminPage, enrolled.email).getByRole("cell", { name: "None", exact: true })).toBeVisible();

    await signOutThroughMenu(userPage);
    await submitSignIn(userPage, enrolled);
    await expect(userPage).toHaveURL(onPath("/"));
  });

  test("an administrator makes a custom role require MFA and the roles pages say so", async () => {
    await adminPage.goto("/roles");
    await adminPage.getByRole("button", { name: "New role" }).click();
    const dialog = adminPage.getByRole("dialog", { name: "New role" });
    await dialog.getByLabel("Name", { exact: true }).fill(roleName);
    await expect(dialog.getByRole("checkbox", { name: "Require MFA for holders of this role" })).not.toBeChecked();
    await dialog.getByRole("button", { name: "Save role" }).click();
    await expect(dialog).toBeHidden();

    const roles = adminPage.getByRole("table", { name: "Roles" });
    const row = roles.getByRole("row").filter({ has: adminPage.getByRole("link", { name: roleName, exact: true }) });
    await expect(row).toBeVisible();
    await expect(row.getByText("Requires MFA")).toHaveCount(0);

    await row.getByRole("link", { name: roleName, exact: true }).click();
    await expect(adminPage.getByRole("heading", { name: roleName, level: 1 })).toBeVisible();
    // The checkbox says "Require MFA …"; only the badge says exactly this.
    const badge = adminPage.getByText("Requires MFA", { exact: true });
    await expect(badge).toHaveCount(0);
    const requiresMfa = adminPage.getByRole("checkbox", { name: "Require MFA for holders of this role" });
    await expect(requiresMfa).toHaveAccessibleDescription(/authenticator app or a passkey/);
    await requiresMfa.check();
    await adminPage.getByRole("button", { name: "Save role" }).click();
    await expect(toast(adminPage, `Role ${roleName} saved.`)).toBeVisible();
    await expect(badge).toBeVisible();

    await adminPage.getByRole("link", { name: "← All roles" }).click();
    await expect(row.getByText("Requires MFA")).toBeVisible();
  });
});
