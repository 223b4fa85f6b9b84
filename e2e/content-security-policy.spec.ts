import { createHash, randomBytes } from "node:crypto";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { apiAs, signInThroughUi } from "./sign-in";

/**
 * The pages run under their Content-Security-Policy (nonce-only scripts and styles, no frames, forms
 * posting only here) without the browser blocking anything: every page hydrates (Next's runtime
 * script ran) and reports no violation, signed out, signed in, on the 404 page and through an OAuth
 * consent whose answer leaves for the client's redirect URI.
 */

const CALLBACK = "http://127.0.0.1:45679/callback";

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

/** Records every CSP violation a page of the context reports, from the first script on. */
async function watchViolations(context: BrowserContext): Promise<string[]> {
  const fromConsole: string[] = [];
  // Injected by the browser driver, not by the page, so the page's own CSP does not apply to it.
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.cspViolations!.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`);
    });
  });
  context.on("console", (message) => {
    if (/content security policy/i.test(message.text())) fromConsole.push(message.text());
  });
  return fromConsole;
}

async function expectNoViolation(page: Page, fromConsole: string[]) {
  // Next's client runtime sets window.next once its scripts ran; a blocked script never gets there.
  await page.waitForFunction(() => "next" in window);
  expect(await page.evaluate(() => window.cspViolations ?? [])).toEqual([]);
  expect(fromConsole).toEqual([]);
}

async function visit(page: Page, path: string, fromConsole: string[]) {
  const response = await page.goto(path);
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp, path).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(csp, path).toContain("frame-ancestors 'none'");
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  await expectNoViolation(page, fromConsole);
}

test("pages open signed out run without a CSP violation", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const fromConsole = await watchViolations(context);
  const page = await context.newPage();
  for (const path of ["/sign-in", "/sign-up", "/forgot-password", "/no-such-page"]) await visit(page, path, fromConsole);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  // The watch sees a violation when there is one: an image from a plain-http host the policy does not name.
  await page.evaluate(() => {
    const injected = document.createElement("img");
    injected.src = "http://203.0.113.7/pixel.png";
    document.body.append(injected);
  });
  await expect.poll(() => page.evaluate(() => window.cspViolations ?? [])).toEqual([expect.stringMatching(/^img-src blocked http:\/\/203\.0\.113\.7/)]);
  await context.close();
});

test("the console's pages run without a CSP violation", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const fromConsole = await watchViolations(context);
  const page = await context.newPage();
  await signInThroughUi(page, OWNER);
  await expectNoViolation(page, fromConsole);
  for (const path of ["/users", "/roles", "/domains", "/clients", "/sessions", "/audit", "/account"]) await visit(page, path, fromConsole);
  // Client-side navigation too: the router loads further chunks under 'strict-dynamic'.
  await page.getByRole("link", { name: "Users" }).first().click();
  await expect(page).toHaveURL((url) => url.pathname === "/users");
  await expectNoViolation(page, fromConsole);
  await context.close();
});

test("consent runs without a CSP violation and its answer still reaches the client (form-action does not block it)", async ({ browser, baseURL }) => {
  const owner = await apiAs(browser, baseURL!, OWNER);
  const created = await owner.post("/api/trpc/clients.create", {
    data: { json: { name: "CSP probe", type: "public", redirectUris: [CALLBACK], scopes: ["mcp:read"], domainId: null, skipConsent: false } },
  });
  expect(created.status(), await created.text()).toBe(200);
  const clientId = ((await created.json()) as { result: { data: { json: { client: { clientId: string } } } } }).result.data.json.client.clientId;

  const context = await browser.newContext({ baseURL });
  await context.route(`${new URL(CALLBACK).origin}/**`, (route) => route.fulfill({ body: "ok" }));
  const fromConsole = await watchViolations(context);
  const page = await context.newPage();
  await signInThroughUi(page, OWNER);
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope: "mcp:read",
    state: "csp",
    code_challenge: createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url"),
    code_challenge_method: "S256",
    resource: `${baseURL}/mcp`,
  });
  const consentPage = await page.goto(`/api/auth/oauth2/authorize?${query}`);
  await expect(page).toHaveURL((url) => url.pathname === "/consent");
  expect(consentPage?.headers()["referrer-policy"]).toBe("no-referrer");
  await expectNoViolation(page, fromConsole);
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((url) => url.href.startsWith(CALLBACK));
  expect(new URL(page.url()).searchParams.get("code")).toBeTruthy();
  expect(fromConsole).toEqual([]);
  await context.close();
});
