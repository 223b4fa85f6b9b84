import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { auditEvent, session } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { cookieHeader, createSignedInOwner, openAuthTestBed, signUp, TEST_PASSWORD, uniqueEmail } from "@/server/testing/auth";
import type { TestDatabase } from "@/server/testing/db";
import { callerAs } from "@/server/testing/trpc";

let database: TestDatabase;
let auth: Auth;
let ownerCookie: string;

const MAC_CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

beforeAll(async () => {
  ({ database, auth } = await openAuthTestBed());
  ({ cookie: ownerCookie } = await createSignedInOwner(database.db, auth));
});

afterAll(() => database.destroy());

/** A password sign-in as a browser at `forwardedFor` (the header the start-up preload sets) would make it. */
async function signInFrom(email: string, forwardedFor: string) {
  const response = await auth.handler(
    new Request(`${auth.options.baseURL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: {
        origin: new URL(auth.options.baseURL as string).origin,
        "content-type": "application/json",
        "user-agent": MAC_CHROME,
        "x-forwarded-for": forwardedFor,
      },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    }),
  );
  expect(response.status).toBe(200);
  return cookieHeader(response);
}

async function newestSignInEvent(userId: string) {
  const [row] = await database.db
    .select({ ip: auditEvent.ip, userAgent: auditEvent.userAgent })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "auth.sign_in"), eq(auditEvent.targetId, userId)))
    .orderBy(desc(auditEvent.at))
    .limit(1);
  return row;
}

test("a session keeps the client's whole IPv6 address, the one its sign-in is audited with, and names its browser", async () => {
  const { userId, email } = await signUp(auth, uniqueEmail("ipv6"));
  await database.db.delete(session).where(eq(session.userId, userId));
  await signInFrom(email, "2001:DB8:85a3::8a2e:370:7334");

  const owner = await callerAs({ db: database.db, auth }, ownerCookie);
  const [listed] = (await owner.sessions.list({ userId })).items;
  // better-auth alone would store 2001:0db8:85a3:0000:0000:0000:0000:0000, its rate-limit key.
  expect(listed).toMatchObject({
    ipAddress: "2001:db8:85a3::8a2e:370:7334",
    device: "Chrome 131 on macOS",
    browser: "Chrome 131",
    platform: "macOS",
  });
  expect(await newestSignInEvent(userId)).toEqual({ ip: "2001:db8:85a3::8a2e:370:7334", userAgent: MAC_CHROME });
});

test("the account's own sessions carry the same address and device", async () => {
  const { userId, email } = await signUp(auth, uniqueEmail("own"));
  await database.db.delete(session).where(eq(session.userId, userId));
  const cookie = await signInFrom(email, "203.0.113.77");
  const me = await callerAs({ db: database.db, auth }, cookie);
  expect(await me.account.sessions()).toEqual([expect.objectContaining({ ipAddress: "203.0.113.77", device: "Chrome 131 on macOS", current: true })]);
});

test("a forged X-Forwarded-For chain chooses neither the session's address nor the audited one", async () => {
  const { userId, email } = await signUp(auth, uniqueEmail("forged"));
  await database.db.delete(session).where(eq(session.userId, userId));
  await signInFrom(email, "6.6.6.6, 203.0.113.9");

  const [stored] = await database.db.select({ ipAddress: session.ipAddress }).from(session).where(eq(session.userId, userId));
  expect(stored?.ipAddress).toBeNull();
  expect((await newestSignInEvent(userId))?.ip).toBeNull();
});
