import { expect, test, type APIRequestContext, type Browser, type Page, type TestInfo } from "@playwright/test";
import { totpOf } from "./accounts";

type Account = { email: string; password: string };

/**
 * The production limiter allows five password sign-ins per IP a minute (server/auth/rate-limits.ts)
 * and every spec shares one IP, so a spec may have to wait; the refusal says how long, this is the most.
 */
const SIGN_IN_WINDOW_MS = 60_000;

/** Waits out a rate limit, lengthening the running test's timeout by as much so the wait cannot fail it. */
async function waitOut(seconds: number) {
  const ms = (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, SIGN_IN_WINDOW_MS) : SIGN_IN_WINDOW_MS) + 500;
  test.info().setTimeout(test.info().timeout + ms);
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Submits the sign-in form already on screen, waiting out the rate limiter when other specs used it up.
 * `atSecondFactor` runs on the two-step verification page before its code is entered (to look at it).
 */
export async function submitSignIn(page: Page, account: Account, options: { atSecondFactor?: (page: Page) => Promise<void> } = {}) {
  await hydrated(page);
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  for (let attempt = 0; ; attempt += 1) {
    await page.getByRole("button", { name: "Sign in" }).click();
    const limited = page.getByRole("alert").filter({ hasText: "Too many attempts" });
    await expect(page.getByRole("heading", { level: 1 }).filter({ hasNotText: "Sign in" }).or(limited)).toBeVisible();
    if (!(await limited.isVisible()) || attempt === 2) break;
    // "Too many attempts. Try again in 42 seconds."
    await waitOut(Number(/in (\d+) seconds?/.exec((await limited.textContent()) ?? "")?.[1]));
  }
  await answerTotpChallenge(page, account, options.atSecondFactor);
}

/**
 * Fills the sign-up form already on screen with `account` and submits it. Sign-up starts no session:
 * the page answers that a message was sent, and the person signs in next.
 */
export async function submitSignUp(page: Page, account: Account & { name: string }) {
  await page.getByLabel("Name", { exact: true }).fill(account.name);
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("Check your email");
}

/**
 * Submits the sign-in form expecting a refusal that says `refusal`, waiting out the rate limiter when
 * other specs used it up; the page stays on sign-in.
 */
export async function submitRefusedSignIn(page: Page, account: Account, refusal: string) {
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  for (let attempt = 0; ; attempt += 1) {
    await page.getByRole("button", { name: "Sign in" }).click();
    const limited = page.getByRole("alert").filter({ hasText: "Too many attempts" });
    const refused = page.getByRole("alert").filter({ hasText: refusal });
    await expect(refused.or(limited)).toBeVisible();
    if (!(await limited.isVisible()) || attempt === 2) break;
    await waitOut(Number(/in (\d+) seconds?/.exec((await limited.textContent()) ?? "")?.[1]));
  }
  await expect(page.getByRole("alert").filter({ hasText: refusal })).toBeVisible();
}

/**
 * Waits for the page's scripts: a form submitted before them is posted by the browser itself and
 * the page just reloads, so a click then would be lost.
 */
async function hydrated(page: Page) {
  await page.waitForFunction(() => "next" in window);
  await page.waitForLoadState("load");
}

/** Accounts that enrolled an authenticator app in this run (the owner does) are asked for a code next. */
async function answerTotpChallenge(page: Page, account: Account, atSecondFactor?: (page: Page) => Promise<void>) {
  const totp = totpOf(account.email);
  if (!totp || !(await page.getByRole("heading", { name: "Two-step verification", level: 1 }).isVisible())) return;
  await atSecondFactor?.(page);
  await hydrated(page);
  const through = page.getByRole("heading", { level: 1 }).filter({ hasNotText: "Two-step verification" });
  for (let attempt = 0; ; attempt += 1) {
    await page.getByLabel("Code", { exact: true }).fill(totp.generate());
    await page.getByRole("button", { name: "Verify" }).click();
    const refused = page.getByRole("main").getByRole("alert");
    await expect(through.or(refused)).toBeVisible();
    if ((await through.isVisible()) || attempt === 1) break;
    // A code is accepted once: an earlier sign-in in this 30-second period used it, so wait for the next one.
    const period = totp.period * 1000;
    const wait = period - (Date.now() % period) + 500;
    test.info().setTimeout(test.info().timeout + wait);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await expect(through).toBeVisible();
}

/** Signs out from the console's account menu in the top bar. */
export async function signOutThroughMenu(page: Page) {
  await page.getByRole("button", { name: /^Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in");
}

/** Signs in on the sign-in page and lands on the console's home. */
export async function signInThroughUi(page: Page, account: Account) {
  await page.goto("/sign-in");
  await submitSignIn(page, account);
  await expect(page).toHaveURL((url) => url.pathname === "/");
}

/**
 * Signs `account` in over HTTP on `request` (a page's or a context's, whose cookies it shares),
 * answering the authenticator challenge when the account enrolled in this run.
 */
export async function signInOverHttp(request: APIRequestContext, baseURL: string, account: Account): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const signIn = await request.post("/api/auth/sign-in/email", {
      headers: { origin: baseURL },
      data: { email: account.email, password: account.password },
    });
    if (signIn.status() === 429 && attempt < 2) {
      await waitOut(Number(signIn.headers()["retry-after"]));
      continue;
    }
    expect(signIn.status(), await signIn.text()).toBe(200);
    if ((await signIn.json()).twoFactorRedirect) {
      const code = totpOf(account.email)?.generate();
      expect(code, `${account.email} needs a second factor this run does not know`).toBeTruthy();
      const verified = await request.post("/api/auth/two-factor/verify-totp", { headers: { origin: baseURL }, data: { code } });
      expect(verified.status(), await verified.text()).toBe(200);
    }
    return;
  }
}

/**
 * A sign-in with a wrong password over HTTP, refused as such (401): waits out the per-IP sign-in
 * limit first if other specs used it up, since a limited attempt never reaches the password check.
 */
export async function wrongPasswordOverHttp(request: APIRequestContext, baseURL: string, email: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const refused = await request.post("/api/auth/sign-in/email", {
      headers: { origin: baseURL },
      data: { email, password: "not-the-passphrase-of-this-account" },
    });
    if (refused.status() === 429 && attempt < 2) {
      await waitOut(Number(refused.headers()["retry-after"]));
      continue;
    }
    expect(refused.status(), await refused.text()).toBe(401);
    return;
  }
}

/**
 * A new account through public sign-up over HTTP, then signed in on `request`: sign-up itself never
 * starts a session.
 */
export async function signUpOverHttp(request: APIRequestContext, baseURL: string, account: Account & { name: string }): Promise<void> {
  const signUp = await request.post("/api/auth/sign-up/email", { headers: { origin: baseURL }, data: account });
  expect(signUp.status(), await signUp.text()).toBe(200);
  await signInOverHttp(request, baseURL, account);
}

/**
 * The page a serial journey's tests share, on the project's base URL; signed in through the sign-in
 * page as `account` when one is given. The journey closes it in its afterAll.
 */
export async function journeyPage(browser: Browser, testInfo: TestInfo, account?: Account): Promise<Page> {
  const page = await browser.newPage({ baseURL: testInfo.project.use.baseURL });
  if (account) await signInThroughUi(page, account);
  return page;
}

/** An HTTP client with its own session of `account`, as a script or a second browser would have. */
export async function apiAs(browser: Browser, baseURL: string, account: Account): Promise<APIRequestContext> {
  // Origin on every call, as the console's pages send it: /api/trpc refuses mutations without one.
  const context = await browser.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  await signInOverHttp(context.request, baseURL, account);
  return context.request;
}
