import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";

type Account = { email: string; password: string };

/** better-auth's production limiter allows three sign-ins per IP in ten seconds; every spec shares one IP. */
export const SIGN_IN_WINDOW_MS = 10_000;

/** Submits the sign-in form already on screen, waiting out the rate limiter when other specs used it up. */
export async function submitSignIn(page: Page, account: Account) {
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  for (let attempt = 0; ; attempt += 1) {
    await page.getByRole("button", { name: "Sign in" }).click();
    const limited = page.getByRole("alert").filter({ hasText: "Too many attempts" });
    await expect(page.getByRole("heading", { level: 1 }).filter({ hasNotText: "Sign in" }).or(limited)).toBeVisible();
    if (!(await limited.isVisible()) || attempt === 2) break;
    await page.waitForTimeout(SIGN_IN_WINDOW_MS);
  }
}

/** Signs in on the sign-in page and lands on the console's home. */
export async function signInThroughUi(page: Page, account: Account) {
  await page.goto("/sign-in");
  await submitSignIn(page, account);
  await expect(page).toHaveURL((url) => url.pathname === "/");
}

/** An HTTP client with its own session of `account`, as a script or a second browser would have. */
export async function apiAs(browser: Browser, baseURL: string, account: Account): Promise<APIRequestContext> {
  const context = await browser.newContext({ baseURL });
  for (let attempt = 0; ; attempt += 1) {
    const signIn = await context.request.post("/api/auth/sign-in/email", {
      headers: { origin: baseURL },
      data: { email: account.email, password: account.password },
    });
    if (signIn.status() === 429 && attempt < 2) {
      await new Promise((resolve) => setTimeout(resolve, SIGN_IN_WINDOW_MS));
      continue;
    }
    expect(signIn.status(), await signIn.text()).toBe(200);
    return context.request;
  }
}
