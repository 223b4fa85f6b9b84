import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { user } from "@/db/schema";
import {
  TEST_PASSWORD,
  authRequest,
  cookieHeader,
  createSignedInOwner,
  createTestAuth,
  signIn,
  signUp,
  uniqueEmail,
  authTestBed,
} from "@/server/testing/auth";

const bed = authTestBed();

async function userCount(email: string) {
  return (await bed.database.db.select().from(user).where(eq(user.email, email))).length;
}

describe("before an owner exists", () => {
  test("public sign-up is refused with a pointer to the setup link", async () => {
    const email = uniqueEmail();
    const response = await authRequest(bed.auth, "/sign-up/email", {
      body: { name: "Early", email, password: TEST_PASSWORD },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/setup link/);
    expect(await userCount(email)).toBe(0);
  });
});

describe("with an owner", () => {
  beforeAll(async () => {
    await createSignedInOwner(bed.database.db, bed.auth);
  });

  test("sign-up creates a member, who then signs in with the password", async () => {
    const { cookie } = await signUp(bed.auth);
    const session = await bed.auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.email).toMatch(/@example\.com$/);
  });

  test("session cookies are httpOnly and SameSite=Lax, and not Secure on plain-http localhost", async () => {
    const { email } = await signUp(bed.auth);
    const response = await authRequest(bed.auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
    const sessionCookie = response.headers.getSetCookie().find((cookie) => cookie.includes("session_token"));
    expect(sessionCookie).toBeDefined();
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(sessionCookie).toMatch(/SameSite=Lax/i);
    expect(sessionCookie).not.toMatch(/Secure/i);
  });

  test("session cookies are Secure when the console is served from another host", async () => {
    const remote = await createTestAuth(bed.database.db, { publicUrl: "http://gatehouse.internal:8080" });
    const { email } = await signUp(bed.auth);
    const response = await authRequest(remote, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
    expect(response.status).toBe(200);
    const sessionCookie = response.headers.getSetCookie().find((cookie) => cookie.includes("session_token"));
    expect(sessionCookie).toMatch(/; Secure/i);
  });

  test("sign-in with the right password opens a session", async () => {
    const { email } = await signUp(bed.auth);
    const { cookie } = await signIn(bed.auth, email);
    const session = await bed.auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.email).toBe(email);
  });

  test("a wrong password and an unknown email get the same generic error", async () => {
    const { email } = await signUp(bed.auth);
    const wrongPassword = await authRequest(bed.auth, "/sign-in/email", { body: { email, password: "not-the-password-at-all" } });
    const unknownEmail = await authRequest(bed.auth, "/sign-in/email", {
      body: { email: uniqueEmail("nobody"), password: TEST_PASSWORD },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(await wrongPassword.json()).toEqual(await unknownEmail.json());
  });

  test("sign-out revokes the session on the server, not just the cookie", async () => {
    const { cookie } = await signUp(bed.auth);
    const response = await authRequest(bed.auth, "/sign-out", { method: "POST", body: {}, cookie });
    expect(response.status).toBe(200);
    const session = await bed.auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session).toBeNull();
  });

  test.each([
    ["a malformed email", { email: "not-an-email", password: TEST_PASSWORD }, /email/i],
    ["a password under 12 characters", { email: "short@example.com", password: "elevenchars" }, /short/i],
    ["a common password", { email: "common@example.com", password: "password1234" }, /too common/i],
  ])("sign-up with %s gets a 400 and creates nothing", async (_case, fields, message) => {
    const response = await authRequest(bed.auth, "/sign-up/email", { body: { name: "Bad", ...fields } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
    expect(await userCount(fields.email)).toBe(0);
  });

  test("sign-up with an existing email answers as for a new one but creates no second account", async () => {
    const { email } = await signUp(bed.auth);
    const response = await authRequest(bed.auth, "/sign-up/email", {
      body: { name: "Twin", email, password: TEST_PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(await userCount(email)).toBe(1);
  });

  test.each([
    ["malformed JSON", "{not json"],
    ["wrong types", JSON.stringify({ name: 42, email: ["x"], password: false })],
  ])("%s to an bed.auth endpoint gets a 4xx, never a 500", async (_case, rawBody) => {
    const response = await authRequest(bed.auth, "/sign-up/email", { rawBody });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  test("sign-up is refused when it is closed, while sign-in still works", async () => {
    const closed = await createTestAuth(bed.database.db, { signup: "closed" });
    const email = uniqueEmail();
    const response = await authRequest(closed, "/sign-up/email", { body: { name: "Late", email, password: TEST_PASSWORD } });
    expect(response.status).toBe(403);
    expect(await userCount(email)).toBe(0);

    const existing = await signUp(bed.auth);
    const signInResponse = await authRequest(closed, "/sign-in/email", {
      body: { email: existing.email, password: TEST_PASSWORD },
    });
    expect(signInResponse.status).toBe(200);
    expect(cookieHeader(signInResponse)).toContain("session_token");
  });
});
