import { expect, test } from "@playwright/test";
import { OWNER } from "./accounts";
import { signInThroughUi } from "./sign-in";

/** Stored values are shown as text: markup a user chose for a name or a user agent never runs in an administrator's browser. */

const HOSTILE_NAME = "<script>alert(1)</script><img src=x onerror=alert(2)>";
const HOSTILE_AGENT = "<img src=x onerror=alert(3)><script>alert(4)</script>";

test("a user named with markup is listed and audited as literal text, and no script runs", async ({ page, playwright, baseURL }) => {
  const email = `markup-${Date.now()}@e2e.example.com`;
  const visitor = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { "user-agent": HOSTILE_AGENT } });
  const signUp = await visitor.post("/api/auth/sign-up/email", {
    headers: { origin: baseURL! },
    data: { name: HOSTILE_NAME, email, password: "markup-user-passphrase-31" },
  });
  expect(signUp.status(), await signUp.text()).toBe(200);
  await visitor.dispose();

  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const brokenImages: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/x") brokenImages.push(request.url());
  });

  await signInThroughUi(page, OWNER);

  await page.goto("/users");
  await page.getByLabel("Search users").fill(email);
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toBeVisible();
  await expect(row.getByText(HOSTILE_NAME, { exact: true })).toBeVisible();
  await row.getByRole("button", { name: `View ${email}` }).click();
  await expect(page.getByRole("dialog").getByText(HOSTILE_NAME, { exact: true }).first()).toBeVisible();

  await page.goto("/audit");
  const signUpRow = page.getByRole("row").filter({ hasText: email }).filter({ hasText: "auth.sign_up" }).first();
  await expect(signUpRow).toBeVisible();
  await signUpRow.getByRole("button", { name: /^Details of auth\.sign_up/ }).click();
  await expect(page.getByRole("dialog", { name: "auth.sign_up" }).getByText(HOSTILE_AGENT)).toBeVisible();

  expect(dialogs, "a stored value ran as script").toEqual([]);
  expect(brokenImages, "a stored value was rendered as an <img>").toEqual([]);
});
