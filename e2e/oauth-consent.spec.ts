import { createHash, randomBytes } from "node:crypto";
import { expect, request, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { SCOPE_DESCRIPTIONS } from "../server/shared/scopes";
import { MEMBER, OWNER } from "./accounts";
import { apiAs, submitSignIn, submitSignUp } from "./sign-in";

/**
 * A person connects an application through Gatehouse: the authorization request sends them to sign
 * in, then to the consent page, and their answer goes back to the application's redirect URI. Later
 * they take the access back from their account page. Nothing listens at the redirect URI: the
 * browser's requests there are answered by the test, which reads the URL it was sent to.
 */

const CLIENT_NAME = "E2E Notes App";
const CALLBACK = "http://127.0.0.1:45678/callback";
const CALLBACK_ORIGIN = new URL(CALLBACK).origin;
const SCOPES = ["openid", "profile", "mcp:read"] as const;

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizePath(baseURL: string, clientId: string, challenge: string): string {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope: SCOPES.join(" "),
    state: "xyz",
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource: `${baseURL}/mcp`,
  });
  return `/api/auth/oauth2/authorize?${query}`;
}

/** Registers the test client as the owner, through the same tRPC mutation the console's form calls. */
async function registerClient(browser: Browser, baseURL: string): Promise<string> {
  const owner = await apiAs(browser, baseURL, OWNER);
  const created = await owner.post("/api/trpc/clients.create", {
    data: {
      json: { name: CLIENT_NAME, type: "public", redirectUris: [CALLBACK], scopes: [...SCOPES], domainId: null, skipConsent: false },
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  const body = (await created.json()) as { result: { data: { json: { client: { clientId: string } } } } };
  return body.result.data.json.client.clientId;
}

/** A browser whose requests to the client's redirect URI are answered here instead of by a real app. */
async function browserWithCallback(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  await context.route(`${CALLBACK_ORIGIN}/**`, (route) => route.fulfill({ body: "ok" }));
  return context;
}

async function waitForCallback(page: Page): Promise<URL> {
  await page.waitForURL((url) => url.origin === CALLBACK_ORIGIN);
  const url = new URL(page.url());
  expect(url.origin + url.pathname).toBe(CALLBACK);
  return url;
}

async function expectConsentPage(page: Page, email: string) {
  await expect(page).toHaveURL((url) => url.pathname === "/consent");
  await expect(page.getByRole("heading", { level: 1, name: `${CLIENT_NAME} wants to use your account` })).toBeVisible();
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();
  await expect(page.getByText("127.0.0.1:45678", { exact: true })).toBeVisible();
  const requested = page.getByRole("region", { name: `${CLIENT_NAME} will be able to:` }).getByRole("listitem");
  await expect(requested).toHaveText(SCOPES.map((scope) => SCOPE_DESCRIPTIONS[scope]));
}

test.describe.configure({ timeout: 90_000 });

test.describe("a member connects an application and later takes the access back", () => {
  test.describe.configure({ mode: "serial" });

  let baseURL: string;
  let clientId: string;
  let context: BrowserContext;
  let page: Page;
  let accessToken = "";

  test.beforeAll(async ({ browser }, testInfo) => {
    baseURL = testInfo.project.use.baseURL!;
    clientId = await registerClient(browser, baseURL);
    context = await browserWithCallback(browser, baseURL);
    page = await context.newPage();
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test("a signed-out member signs in first, then sees who asks, for what, and where the answer goes", async () => {
    await page.goto(authorizePath(baseURL, clientId, pkce().challenge));
    await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.has("sig"));
    await expect(page.getByText(`Sign in to continue to ${CLIENT_NAME}.`)).toBeVisible();
    await submitSignIn(page, MEMBER);
    await expectConsentPage(page, MEMBER.email);
  });

  test("Deny sends the member back to the application with access_denied", async () => {
    await page.getByRole("button", { name: "Deny" }).click();
    const callback = await waitForCallback(page);
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe("xyz");
    expect(callback.searchParams.get("iss")).toBe(`${baseURL}/api/auth`);
    expect(callback.searchParams.has("code")).toBe(false);
  });

  test("Allow sends the member back with a code that the application exchanges for a token", async () => {
    const { verifier, challenge } = pkce();
    // Still signed in, and a denial is not remembered: the consent page comes straight back.
    await page.goto(authorizePath(baseURL, clientId, challenge));
    await expectConsentPage(page, MEMBER.email);
    await page.getByRole("button", { name: "Allow" }).click();
    const callback = await waitForCallback(page);
    const code = callback.searchParams.get("code");
    expect(code).toBeTruthy();
    expect(callback.searchParams.get("state")).toBe("xyz");
    expect(callback.searchParams.get("iss")).toBe(`${baseURL}/api/auth`);

    const app = await request.newContext({ baseURL });
    const token = await app.post("/api/auth/oauth2/token", {
      form: { grant_type: "authorization_code", code: code!, redirect_uri: CALLBACK, client_id: clientId, code_verifier: verifier, resource: `${baseURL}/mcp` },
    });
    expect(token.status(), await token.text()).toBe(200);
    accessToken = ((await token.json()) as { access_token: string }).access_token;
    const userinfo = await app.get("/api/auth/oauth2/userinfo", { headers: { authorization: `Bearer ${accessToken}` } });
    expect(userinfo.status(), await userinfo.text()).toBe(200);
    expect(((await userinfo.json()) as { name?: string }).name).toBe(MEMBER.name);
    await app.dispose();
  });

  test("the member revokes the application under Account, Connected apps", async () => {
    await page.goto("/account");
    const connected = page.getByRole("region", { name: "Connected apps" });
    await expect(connected.getByText(CLIENT_NAME, { exact: true })).toBeVisible();
    await connected.getByRole("button", { name: `Revoke access to ${CLIENT_NAME}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(page.getByRole("dialog")).toBeHidden();
    await expect(connected.getByRole("button", { name: `Revoke access to ${CLIENT_NAME}` })).toHaveCount(0);

    const app = await request.newContext({ baseURL });
    const userinfo = await app.get("/api/auth/oauth2/userinfo", { headers: { authorization: `Bearer ${accessToken}` } });
    expect(userinfo.status()).toBe(401);
    await app.dispose();

    // The remembered consent went with it: the application has to ask again.
    await page.goto(authorizePath(baseURL, clientId, pkce().challenge));
    await expectConsentPage(page, MEMBER.email);
  });

  test("an altered request is refused with a readable message and a way back", async () => {
    const altered = new URL(page.url());
    altered.searchParams.set("state", "forged");
    await page.goto(altered.pathname + altered.search);
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(
      page
        .getByRole("alert")
        .filter({ hasText: `This request from ${CLIENT_NAME} has expired or was changed. Go back to ${CLIENT_NAME} and connect again.` }),
    ).toBeVisible();
    await expect(page.getByRole("link", { name: "Go to your Gatehouse account" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Allow" })).toHaveCount(0);
  });
});

test("a new person creates an account from the sign-in page, signs in and goes on to the consent page", async ({ browser, baseURL }) => {
  const clientId = await registerClient(browser, baseURL!);
  const context = await browserWithCallback(browser, baseURL!);
  const page = await context.newPage();
  const person = { name: "Notes User", email: `notes-user-${Date.now().toString(36)}@e2e.example.com`, password: "notes-user-passphrase-for-e2e" };

  await page.goto(authorizePath(baseURL!, clientId, pkce().challenge));
  await page.getByRole("link", { name: "Create one" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-up" && url.searchParams.has("sig"));
  await expect(page.getByText(`Create an account to continue to ${CLIENT_NAME}.`)).toBeVisible();
  // Sign-up starts no session; signing in, with the application's request kept, carries on to consent.
  await submitSignUp(page, person);
  await page.getByRole("link", { name: "Continue to sign in" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.has("sig"));
  await submitSignIn(page, person);
  await expectConsentPage(page, person.email);
  await context.close();
});

test("an unknown client ends on Gatehouse's error page, not at the redirect URI", async ({ browser, baseURL }) => {
  const context = await browserWithCallback(browser, baseURL!);
  const page = await context.newPage();
  await page.goto(authorizePath(baseURL!, "no-such-client", pkce().challenge));
  await expect(page).toHaveURL((url) => url.origin === new URL(baseURL!).origin && url.pathname === "/oauth-error");
  await expect(page.getByRole("heading", { level: 1, name: "Cannot connect the application" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "The application is not registered with this Gatehouse server." })).toBeVisible();
  await expect(page.getByText("invalid_client", { exact: true })).toBeVisible();
  await context.close();
});

test("the error page shows what the link says as text, never as markup", async ({ page }) => {
  const query = new URLSearchParams({ error: "<i>bad</i>", error_description: '<img src=x alt="injected">' });
  await page.goto(`/oauth-error?${query}`);
  await expect(page.getByText("<i>bad</i>", { exact: true })).toBeVisible();
  await expect(page.getByText('<img src=x alt="injected">', { exact: true })).toBeVisible();
  await expect(page.getByRole("img", { name: "injected" })).toHaveCount(0);
});
