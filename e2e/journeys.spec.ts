import { createHash, randomBytes } from "node:crypto";
import { expect, request, test, type BrowserContext, type Page } from "@playwright/test";
import { OWNER, rememberTotpSecret } from "./accounts";
import { turnOnAuthenticatorApp } from "./authenticator-app";
import { goToSection, newDeviceContext, onPhone, settled, shootBothThemes } from "./screens";
import { signOutThroughMenu, submitSignIn } from "./sign-in";

/**
 * The main journeys, run by the console project at desktop size and by the phone project at
 * 390 × 844 with touch (playwright.config.ts), where the console is reached through the menu
 * button and its navigation sheet:
 *
 * the owner signs in, finds a new person and makes them an admin (a role that requires MFA); the
 * person signs in, must enrol an authenticator app first, then signs in again with a code; the
 * owner revokes the person's session; the person connects an application and approves its
 * consent. The pages met on the way that only a journey reaches (enrol-mfa, two-factor, consent)
 * are saved in both themes.
 */

const run = Date.now().toString(36);
const CALLBACK = "http://127.0.0.1:45679/callback";
const CALLBACK_ORIGIN = new URL(CALLBACK).origin;
const SCOPES = ["openid", "profile"] as const;

test.describe.configure({ mode: "serial", timeout: 120_000 });

test.describe("the main journeys", () => {
  let baseURL: string;
  let person: { name: string; email: string; password: string };
  let ownerPage: Page;
  let personContext: BrowserContext;
  let personPage: Page;

  test.beforeAll(async ({ browser }, testInfo) => {
    baseURL = testInfo.project.use.baseURL!;
    // One person per project, so the desktop and phone runs never meet.
    const tag = `${testInfo.project.name}-${run}`;
    person = { name: `Journey ${testInfo.project.name}`, email: `journey-${tag}@e2e.example.com`, password: `journey-${tag}-passphrase` };
    // Public sign-up starts no session, so it costs none of the sign-in rate limit.
    const signUp = await request.newContext({ baseURL });
    const created = await signUp.post("/api/auth/sign-up/email", { headers: { origin: baseURL }, data: person });
    expect(created.status(), await created.text()).toBe(200);
    await signUp.dispose();

    ownerPage = await (await newDeviceContext(browser, testInfo)).newPage();
    personContext = await newDeviceContext(browser, testInfo);
    // Nothing listens at the application's redirect URI: the test answers for it and reads the URL.
    await personContext.route(`${CALLBACK_ORIGIN}/**`, (route) => route.fulfill({ body: "ok" }));
    personPage = await personContext.newPage();
  });

  test.afterAll(async () => {
    await ownerPage?.context().close();
    await personContext?.close();
  });

  test("the owner signs in with a password and a code from the app", async () => {
    await ownerPage.goto("/sign-in");
    await submitSignIn(ownerPage, OWNER);
    await expect(ownerPage).toHaveURL((url) => url.pathname === "/");
    await expect(ownerPage.getByRole("heading", { name: `Welcome, ${OWNER.name}`, level: 1 })).toBeVisible();
    // A phone shows the menu button instead of the sidebar; a laptop the sidebar and no menu button.
    const menuButton = ownerPage.getByRole("button", { name: "Open navigation" });
    const sidebar = ownerPage.getByRole("navigation", { name: "Console" });
    if (onPhone(ownerPage)) {
      await expect(menuButton).toBeVisible();
      await expect(sidebar).toBeHidden();
    } else {
      await expect(sidebar).toBeVisible();
      await expect(menuButton).toBeHidden();
    }
  });

  test("the owner finds the person and changes their role from member to admin", async () => {
    await goToSection(ownerPage, "Users");
    await ownerPage.getByLabel("Search users").fill(person.email);
    await expect(ownerPage.getByRole("table", { name: "Users" }).getByRole("row").filter({ hasText: person.email })).toHaveCount(1);
    await ownerPage.getByRole("button", { name: `View ${person.email}` }).click();

    const drawer = ownerPage.getByRole("dialog", { name: person.email });
    await expect(drawer).toBeInViewport();
    const assign = drawer.getByRole("form", { name: "Assign a role" });
    await assign.getByLabel("Domain", { exact: true }).selectOption({ label: "All domains" });
    await assign.getByLabel("Role", { exact: true }).selectOption({ label: "admin" });
    await assign.getByRole("button", { name: "Assign role" }).click();
    await expect(drawer.getByRole("button", { name: "Remove admin in All domains" })).toBeVisible();

    await drawer.getByRole("button", { name: "Remove member in All domains" }).click();
    const confirm = ownerPage.getByRole("dialog", { name: "Remove role" });
    await expect(confirm).toContainText(person.email);
    await expect(confirm.getByRole("button", { name: "Remove role" })).toBeInViewport();
    await confirm.getByRole("button", { name: "Remove role" }).click();
    await expect(confirm).toBeHidden();
    await expect(drawer.getByRole("button", { name: "Remove member in All domains" })).toHaveCount(0);
    await expect(drawer.getByRole("button", { name: "Remove admin in All domains" })).toBeVisible();
    await drawer.getByRole("button", { name: "Close" }).click();
    await expect(drawer).toBeHidden();
  });

  test("the new admin signs in and must enrol an authenticator app before the console opens", async ({}, testInfo) => {
    await personPage.goto("/sign-in");
    await submitSignIn(personPage, person);
    await expect(personPage).toHaveURL((url) => url.pathname === "/enrol-mfa");
    await expect(personPage.getByRole("heading", { name: "Set up a second factor", level: 1 })).toBeVisible();
    await expect(personPage.getByText('Your role "admin" requires a second factor.')).toBeVisible();
    await settled(personPage);
    await shootBothThemes(personPage, testInfo, "enrol-mfa");

    const { security, secret } = await turnOnAuthenticatorApp(personPage, person.password);
    rememberTotpSecret(person.email, secret);
    await security.getByRole("button", { name: "I have saved them" }).click();

    // The way on sticks to the bottom of the screen, so a phone shows it without scrolling.
    const onward = personPage.getByRole("link", { name: "Continue to Gatehouse" });
    await expect(onward).toBeInViewport();
    await onward.click();
    await expect(personPage).toHaveURL((url) => url.pathname === "/");
    await expect(personPage.getByRole("heading", { name: `Welcome, ${person.name}`, level: 1 })).toBeVisible();
  });

  test("signed out, the admin signs back in with a code from the app", async ({}, testInfo) => {
    await signOutThroughMenu(personPage);
    let asked = false;
    await submitSignIn(personPage, person, {
      atSecondFactor: async (page) => {
        asked = true;
        await expect(page.getByLabel("Code", { exact: true })).toBeInViewport();
        await shootBothThemes(page, testInfo, "two-factor");
      },
    });
    expect(asked, "the two-step verification page was shown").toBe(true);
    await expect(personPage).toHaveURL((url) => url.pathname === "/");
    await goToSection(personPage, "Account");
  });

  test("the owner revokes the admin's browser session, which signs them out at once", async () => {
    await goToSection(ownerPage, "Sessions", "Sessions & tokens");
    await ownerPage.getByLabel("User", { exact: true }).fill(person.email);
    // Shown once the search has found the person, whose lists then replace the unfiltered ones.
    await expect(ownerPage.getByRole("button", { name: `Revoke everything for ${person.email}` })).toBeVisible();
    const sessions = ownerPage.getByRole("table", { name: "Browser sessions" });
    await expect(sessions.getByRole("row").filter({ hasText: person.email })).toHaveCount(1);
    await ownerPage.getByRole("button", { name: new RegExp(`^Revoke the session of ${person.email.replace(/[.]/g, "\\.")} on `) }).click();
    const confirm = ownerPage.getByRole("dialog", { name: "Revoke session" });
    await expect(confirm).toContainText(person.email);
    await expect(confirm.getByRole("button", { name: "Revoke session" })).toBeInViewport();
    await confirm.getByRole("button", { name: "Revoke session" }).click();
    await expect(confirm).toBeHidden();
    await expect(ownerPage.getByText("This user has no browser sessions")).toBeVisible();

    await personPage.reload();
    await expect(personPage).toHaveURL((url) => url.pathname === "/sign-in");
  });

  test("the admin connects an application: sign-in, the consent page, and back with a code", async ({}, testInfo) => {
    // Registered by the owner through the mutation the console's form calls, on the owner's session.
    const created = await ownerPage.request.post("/api/trpc/clients.create", {
      headers: { origin: baseURL },
      data: {
        json: { name: `Journey App ${testInfo.project.name}`, type: "public", redirectUris: [CALLBACK], scopes: [...SCOPES], domainId: null, skipConsent: false },
      },
    });
    expect(created.status(), await created.text()).toBe(200);
    const clientId = ((await created.json()) as { result: { data: { json: { client: { clientId: string } } } } }).result.data.json.client.clientId;

    const verifier = randomBytes(32).toString("base64url");
    const query = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope: SCOPES.join(" "),
      state: "journey",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    });
    await personPage.goto(`/api/auth/oauth2/authorize?${query}`);
    await expect(personPage).toHaveURL((url) => url.pathname === "/sign-in");
    await submitSignIn(personPage, person);

    await expect(personPage).toHaveURL((url) => url.pathname === "/consent");
    await expect(personPage.getByRole("heading", { level: 1, name: `Journey App ${testInfo.project.name} wants to use your account` })).toBeVisible();
    const allow = personPage.getByRole("button", { name: "Allow" });
    await expect(allow).toBeInViewport();
    await settled(personPage);
    await shootBothThemes(personPage, testInfo, "consent");

    await allow.click();
    await personPage.waitForURL((url) => url.origin === CALLBACK_ORIGIN);
    const callback = new URL(personPage.url());
    expect(callback.searchParams.get("state")).toBe("journey");
    expect(callback.searchParams.get("code")).toBeTruthy();

    const app = await request.newContext({ baseURL });
    const token = await app.post("/api/auth/oauth2/token", {
      form: { grant_type: "authorization_code", code: callback.searchParams.get("code")!, redirect_uri: CALLBACK, client_id: clientId, code_verifier: verifier },
    });
    expect(token.status(), await token.text()).toBe(200);
    await app.dispose();
  });
});
