import { createHash, randomBytes } from "node:crypto";
import { expect, test, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { URI, type TOTP } from "otpauth";
import { signInThroughUi, signOutThroughMenu, signUpOverHttp, submitRefusedSignIn, submitSignIn, submitSignUp } from "./sign-in";
import { toast } from "./toasts";

/**
 * Passkeys through the real pages, with Chromium's virtual authenticator standing in for the
 * device: a new user adds one on Account > Security, signs in with it and no password, renames and
 * deletes it; its password alone no longer signs it in while the passkey is its second factor; sign-in
 * fails clearly once Gatehouse or the device no longer has the passkey; and a passkey sign-in carries
 * an application's authorization request on to consent. Adding a passkey to an account that has a
 * second factor asks for that factor first, never for the password alone.
 */

const account = {
  name: "Passkey Person",
  email: `passkey-${Date.now()}@example.com`,
  password: "passkey-journey-passphrase-31",
};

const CALLBACK = "http://127.0.0.1:45679/callback";

function onPath(pathname: string) {
  return (url: URL) => url.pathname === pathname;
}

async function signOut(page: Page) {
  await signOutThroughMenu(page);
}

async function expectSignedOut(page: Page) {
  await page.goto("/account");
  await expect(page).toHaveURL(onPath("/sign-in"));
}

function passkeysRegion(page: Page) {
  return page.getByRole("region", { name: "Passkeys" });
}

async function addVirtualAuthenticator(cdp: CDPSession): Promise<string> {
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

async function addPasskey(page: Page, name: string) {
  await page.goto("/account");
  const region = passkeysRegion(page);
  await region.getByLabel("Passkey name").fill(name);
  await region.getByRole("button", { name: "Add passkey" }).click();
  await expect(toast(page, `Passkey “${name}” added.`)).toBeVisible();
}

test.describe("passkey journey", () => {
  test.describe.configure({ mode: "serial" });

  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;

  async function credentialsOnDevice(): Promise<number> {
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    return credentials.length;
  }

  test.beforeAll(async ({ browser }, testInfo) => {
    context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    // Nothing listens at the application's redirect URI; the test only needs to see the browser sent there.
    await context.route(`${new URL(CALLBACK).origin}/**`, (route) => route.fulfill({ body: "ok" }));
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    authenticatorId = await addVirtualAuthenticator(cdp);
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test("a new user signs up on the sign-up page", async () => {
    await page.goto("/sign-up");
    // Sign-up starts no session: the page says to check the email, then sign in.
    await submitSignUp(page, account);
    await page.getByRole("link", { name: "Continue to sign in" }).click();
    await expect(page).toHaveURL(onPath("/sign-in"));
    await submitSignIn(page, account);
    await expect(page).toHaveURL(onPath("/"));
  });

  test("they add a named passkey on Account > Security and see it listed, never used", async () => {
    await page.goto("/account");
    await expect(passkeysRegion(page).getByText("No passkeys yet")).toBeVisible();
    await addPasskey(page, "Virtual laptop");
    const listed = passkeysRegion(page).getByRole("list", { name: "Your passkeys" }).getByRole("listitem");
    await expect(listed).toHaveCount(1);
    await expect(listed).toContainText("Virtual laptop");
    await expect(listed).toContainText("last used never");
    expect(await credentialsOnDevice()).toBe(1);
  });

  test("after signing out, the passkey alone signs them in, to the page they asked for", async () => {
    await signOut(page);
    await page.goto("/account");
    await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === "/account");
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page).toHaveURL(onPath("/account"));
    await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  });

  test("the list shows when the passkey was last used", async () => {
    const listed = passkeysRegion(page).getByRole("listitem").filter({ hasText: "Virtual laptop" });
    await expect(listed).not.toContainText("last used never");
    await expect(listed.getByRole("time")).toHaveCount(2);
  });

  test("the password alone no longer signs them in: the account's second factor is the passkey", async () => {
    await signOut(page);
    await page.goto("/sign-in");
    await submitRefusedSignIn(page, account, "Your account's second factor is a passkey");
    await expectSignedOut(page);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page).toHaveURL(onPath("/account"));
  });

  test("they rename the passkey", async () => {
    const region = passkeysRegion(page);
    await region.getByRole("button", { name: "Rename passkey Virtual laptop" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename passkey" });
    await dialog.getByLabel("New name").fill("Work laptop");
    await dialog.getByRole("button", { name: "Save name" }).click();
    await expect(dialog).toBeHidden();
    await expect(region.getByRole("listitem")).toHaveText([/Work laptop/]);
  });

  test("they delete the passkey after confirming", async () => {
    const region = passkeysRegion(page);
    await region.getByRole("button", { name: "Delete passkey Work laptop" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete passkey" });
    await expect(dialog).toContainText("Work laptop");
    await dialog.getByRole("button", { name: "Delete passkey" }).click();
    await expect(dialog).toBeHidden();
    await expect(region.getByText("No passkeys yet")).toBeVisible();
  });

  test("a passkey deleted in Gatehouse no longer signs in, though the device still offers it", async () => {
    expect(await credentialsOnDevice()).toBe(1);
    await signOut(page);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "That passkey is not registered with Gatehouse" })).toBeVisible();
    await expect(page).toHaveURL(onPath("/sign-in"));
    await expectSignedOut(page);
  });

  test("with no passkey on the device, sign-in says so and no session is made", async () => {
    await signInThroughUi(page, account);
    await addPasskey(page, "Cleared key");
    await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
    expect(await credentialsOnDevice()).toBe(0);

    await signOut(page);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "No passkey was used" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Use a passkey" })).toBeEnabled();
    await expectSignedOut(page);
  });

  test("with the passkey lost, the password does not get them in either: an administrator must reset it", async () => {
    await page.goto("/sign-in");
    await submitRefusedSignIn(page, account, "Your account's second factor is a passkey");
    await expectSignedOut(page);
  });

  test("a passkey sign-in carries an application's authorization request on to consent", async () => {
    // A new account, since the journey's one has lost its passkey.
    const traveller = { name: "OAuth Passkey", email: `oauth-passkey-${Date.now()}@example.com`, password: "oauth-passkey-passphrase-64" };
    const signedUp = await page.request.post("/api/auth/sign-up/email", { headers: { origin: test.info().project.use.baseURL! }, data: traveller });
    expect(signedUp.status(), await signedUp.text()).toBe(200);
    await signInThroughUi(page, traveller);
    await addPasskey(page, "OAuth key");
    await signOut(page);

    const baseURL = test.info().project.use.baseURL!;
    const registered = await page.request.post("/api/auth/oauth2/register", {
      headers: { origin: baseURL },
      data: {
        client_name: "Passkey Test App",
        redirect_uris: [CALLBACK],
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        scope: "openid",
      },
    });
    expect(registered.status(), await registered.text()).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };

    const authorize = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope: "openid",
      state: "passkey-state",
      code_challenge: createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url"),
      code_challenge_method: "S256",
    });
    await page.goto(`/api/auth/oauth2/authorize?${authorize}`);
    await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.has("sig"));
    await expect(page.getByText("Sign in to continue to Passkey Test App.")).toBeVisible();
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page).toHaveURL(onPath("/consent"));
    await expect(page.getByRole("heading", { level: 1, name: "Passkey Test App wants to use your account" })).toBeVisible();
  });
});

test.describe("an account with an authenticator app adds a passkey", () => {
  const appUser = {
    name: "App And Passkey",
    email: `app-passkey-${Date.now()}@example.com`,
    password: "app-and-passkey-passphrase-52",
  };

  test("after a code from the app, not the password", async ({ browser }, testInfo) => {
    const baseURL = testInfo.project.use.baseURL!;
    const context = await browser.newContext({ baseURL });
    try {
      const page = await context.newPage();
      await addVirtualAuthenticator(await context.newCDPSession(page));
      // Signed up and enrolled over HTTP in this browser: the session that confirmed the app proved only the password.
      const headers = { origin: baseURL };
      await signUpOverHttp(page.request, baseURL, appUser);
      const enabled = await page.request.post("/api/auth/two-factor/enable", { headers, data: { password: appUser.password } });
      expect(enabled.status(), await enabled.text()).toBe(200);
      const totp = URI.parse(((await enabled.json()) as { totpURI: string }).totpURI) as TOTP;
      const confirmed = await page.request.post("/api/auth/two-factor/verify-totp", { headers, data: { code: totp.generate() } });
      expect(confirmed.status(), await confirmed.text()).toBe(200);

      await page.goto("/account");
      const region = passkeysRegion(page);
      await region.getByLabel("Passkey name").fill("Laptop");
      await region.getByRole("button", { name: "Add passkey" }).click();
      const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
      await expect(stepUp).toContainText("To add a passkey, confirm it is you with a second factor");
      await expect(stepUp.getByRole("radio", { name: "Password" })).toHaveCount(0);
      await expect(stepUp.getByRole("radio", { name: "A backup code" })).toBeVisible();
      // The next step's code, so it is not the one that confirmed the app a moment ago.
      await stepUp.getByLabel("Code from the authenticator app").fill(totp.generate({ timestamp: Date.now() + totp.period * 1000 }));
      await stepUp.getByRole("button", { name: "Confirm" }).click();
      await expect(stepUp).toBeHidden();
      await expect(toast(page, "Passkey “Laptop” added.")).toBeVisible();
      await expect(region.getByRole("list", { name: "Your passkeys" }).getByRole("listitem")).toHaveCount(1);
    } finally {
      await context.close();
    }
  });
});
