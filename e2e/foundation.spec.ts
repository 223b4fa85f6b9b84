import { expect, test, type Page } from "@playwright/test";
import { MEMBER, OWNER, rememberTotpSecret, totpOf } from "./accounts";
import { turnOnAuthenticatorApp } from "./authenticator-app";
import { signOutThroughMenu, submitSignIn, journeyPage } from "./sign-in";

/**
 * The foundation journey against a freshly started server with an empty database: the owner is
 * created through the one-time setup link, then sign-out, sign-in and public sign-up are exercised
 * through the real UI. The tests share one page and run in order.
 */

const owner = OWNER;
const member = MEMBER;

const CONSOLE_SECTIONS = ["Overview", "Users", "Roles", "Domains", "Clients", "Sessions", "Lockouts", "Audit", "Account"];

function setupUrl(): string {
  const url = process.env.E2E_SETUP_URL;
  if (!url) throw new Error("E2E_SETUP_URL is not set; e2e/global-setup.ts should have parsed it from the server output.");
  return url;
}

function onPath(pathname: string) {
  return (url: URL) => url.pathname === pathname;
}

function consoleNav(page: Page) {
  return page.getByRole("navigation", { name: "Console" });
}

async function signOut(page: Page) {
  await signOutThroughMenu(page);
  await expect(page).toHaveURL(onPath("/sign-in"));
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
}

async function expectProfile(page: Page, user: { name: string; email: string }, role: "Owner" | "Member") {
  await consoleNav(page).getByRole("link", { name: "Account" }).click();
  await expect(page).toHaveURL(onPath("/account"));
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  const profile = page.getByRole("region", { name: "Profile" });
  await expect(profile.getByRole("textbox", { name: "Name", exact: true })).toHaveValue(user.name);
  await expect(profile.getByText(user.email, { exact: true })).toBeVisible();
  await expect(profile.getByRole("term")).toHaveText(["User ID", "Role"]);
  await expect(profile.getByRole("definition")).toHaveText([/\S+/, role]);
}

test.describe("foundation journey", () => {
  test.describe.configure({ mode: "serial" });

  let page: Page;

  test.beforeAll(async ({ browser }, testInfo) => (page = await journeyPage(browser, testInfo)));
  test.afterAll(() => page?.close());

  test("before the owner exists, the console, sign-in and sign-up all lead to the setup page, which explains the setup link", async () => {
    for (const path of ["/", "/sign-in", "/sign-up", "/users"]) {
      await page.goto(path);
      await expect(page, path).toHaveURL(onPath("/setup"));
      await expect(page.getByRole("heading", { name: "Create the owner account", level: 1 })).toBeVisible();
      await expect(page.getByText("Gatehouse has no owner yet")).toBeVisible();
      await expect(page.getByText("Setup link:", { exact: true })).toBeVisible();
      // No form here: creating the owner needs the secret in the link.
      await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
    }
  });

  test("the setup link creates the owner, who must set up a second factor before the console opens", async () => {
    await page.goto(setupUrl());
    await expect(page.getByRole("heading", { name: "Create the owner account" })).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill(owner.name);
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: "Create owner account" }).click();

    // The owner role requires MFA: nothing else works until it is set up.
    await expect(page).toHaveURL(onPath("/enrol-mfa"));
    await expect(page.getByRole("heading", { name: "Set up a second factor", level: 1 })).toBeVisible();
    await expect(page.getByText('Your role "owner" requires a second factor.')).toBeVisible();
    await page.goto("/users");
    await expect(page).toHaveURL((url) => url.pathname === "/enrol-mfa" && url.searchParams.get("next") === "/users");

    const { security, secret } = await turnOnAuthenticatorApp(page, owner.password);
    rememberTotpSecret(owner.email, secret);
    await security.getByRole("button", { name: "I have saved them" }).click();

    await page.getByRole("link", { name: "Continue to Gatehouse" }).click();
    await expect(page).toHaveURL(onPath("/users"));
    await page.goto("/");
    await expect(page).toHaveURL(onPath("/"));
    await expect(page.getByRole("heading", { name: `Welcome, ${owner.name}`, level: 1 })).toBeVisible();
    const nav = consoleNav(page);
    await expect(nav).toBeVisible();
    await expect(nav.getByRole("listitem")).toHaveText(CONSOLE_SECTIONS.map((label) => new RegExp(`^${label}`)));
    await expect(nav.getByRole("link", { name: "Account" })).toBeVisible();
  });

  test("the owner's profile shows the Owner role", async () => {
    await expectProfile(page, owner, "Owner");
  });

  test("the setup link is gone once an owner exists", async () => {
    const response = await page.goto(setupUrl());
    expect(response?.status()).toBe(404);
    await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
  });

  test("signing out ends the session", async () => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: `Welcome, ${owner.name}` })).toBeVisible();
    await signOut(page);

    await page.goto("/account");
    await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === "/account");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });

  test("a wrong password is refused on the sign-in page", async () => {
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill("not-the-right-passphrase-1");
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
    await expect(page).toHaveURL(onPath("/sign-in"));
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  test("the right password and an authenticator code sign the owner back in, to the page they asked for", async () => {
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
    await page.getByLabel("Code", { exact: true }).fill(totpOf(owner.email)!.generate());
    await page.getByRole("button", { name: "Verify" }).click();

    await expect(page).toHaveURL(onPath("/account"));
    await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  });

  test("a return path to another origin is ignored after sign-in", async () => {
    await signOut(page);
    await page.goto("/sign-in?next=//evil.example.com/steal");
    await page.getByLabel("Email", { exact: true }).fill(owner.email);
    await page.getByLabel("Password", { exact: true }).fill(owner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("Code", { exact: true }).fill(totpOf(owner.email)!.generate());
    await page.getByRole("button", { name: "Verify" }).click();

    await expect(page).toHaveURL(onPath("/"));
    await expect(page.getByRole("heading", { name: `Welcome, ${owner.name}`, level: 1 })).toBeVisible();
  });

  test("a second user signs up and is a member, not the owner", async () => {
    await signOut(page);
    await page.getByRole("link", { name: "Create one" }).click();
    await expect(page).toHaveURL(onPath("/sign-up"));
    await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();

    const password = page.getByLabel("Password", { exact: true });
    await page.getByLabel("Name", { exact: true }).fill(member.name);
    await page.getByLabel("Email", { exact: true }).fill(member.email);
    await password.fill("short-pw");
    await page.getByRole("button", { name: "Create account" }).click();

    // The server's message replaces the hint and is tied to the field.
    await expect(password).toHaveAttribute("aria-invalid", "true");
    await expect(password).toHaveAccessibleDescription(/too short/i);
    await expect(page).toHaveURL(onPath("/sign-up"));

    await password.fill(member.password);
    await page.getByRole("button", { name: "Create account" }).click();

    // Sign-up starts no session; the same answer comes back whether or not the address was taken.
    await expect(page.getByRole("status")).toContainText(`Check your email: we sent a message to ${member.email}.`);
    await page.goto("/");
    await expect(page).toHaveURL(onPath("/sign-in"));
    await submitSignIn(page, member);
    await expect(page).toHaveURL(onPath("/"));
    await expect(page.getByRole("heading", { name: `Welcome, ${member.name}`, level: 1 })).toBeVisible();
    await expectProfile(page, member, "Member");
  });
});

test.describe("HTTP edges", () => {
  test("malformed JSON is a client error and health reports ok", async ({ request }) => {
    const trpc = await request.post("/api/trpc/me.get", {
      headers: { "content-type": "application/json" },
      data: "{not json",
    });
    expect(trpc.status(), await trpc.text()).toBeGreaterThanOrEqual(400);
    expect(trpc.status(), await trpc.text()).toBeLessThan(500);

    const setup = await request.post("/api/setup", {
      headers: { "content-type": "application/json" },
      data: "{not json",
    });
    expect(setup.status(), await setup.text()).toBeGreaterThanOrEqual(400);
    expect(setup.status(), await setup.text()).toBeLessThan(500);

    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", db: "ok" });
  });
});
