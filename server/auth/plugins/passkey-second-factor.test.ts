import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { passkey, session } from "@/db/schema";
import { TEST_PASSWORD, TEST_PUBLIC_URL, authRequest, cookieHeader, signUp, authTestBed } from "@/server/testing/auth";
import { auditRows } from "@/server/testing/authz";
import { SoftwareAuthenticator, passkeySignIn, registerPasskey } from "@/server/testing/passkey-authenticator";
import { ageSignIn } from "@/server/testing/step-up";
import { callerAs } from "@/server/testing/trpc";
import { PASSKEY_REQUIRED } from "./passkey-second-factor";

const bed = authTestBed({ owner: true });

/** An account whose only second factor is a passkey it registered right after signing up. */
async function passkeyAccount() {
  const account = await signUp(bed.auth);
  const key = new SoftwareAuthenticator(new URL(TEST_PUBLIC_URL).origin);
  const { verified } = await registerPasskey(bed.auth, account.cookie, key, "Laptop");
  expect(verified?.status).toBe(200);
  return { ...account, key };
}

async function sessionsOf(userId: string): Promise<number> {
  return bed.database.db.$count(session, eq(session.userId, userId));
}

test("the right password alone does not sign in an account whose second factor is a passkey", async () => {
  const account = await passkeyAccount();
  const before = await sessionsOf(account.userId);
  const signInsBefore = (await auditRows(bed.database.db, { action: "auth.sign_in", targetId: account.userId })).length;

  const response = await authRequest(bed.auth, "/sign-in/email", { body: { email: account.email, password: TEST_PASSWORD } });
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ code: PASSKEY_REQUIRED });
  const cookie = cookieHeader(response);
  expect(cookie).not.toMatch(/session_token=[^;\s]+/);
  expect(await sessionsOf(account.userId)).toBe(before);
  const [failed] = await auditRows(bed.database.db, { action: "auth.sign_in_failed", targetId: account.userId });
  expect(failed?.details).toMatchObject({ method: "password", reason: PASSKEY_REQUIRED });
  expect(await auditRows(bed.database.db, { action: "auth.sign_in", targetId: account.userId })).toHaveLength(signInsBefore);

  const withPasskey = await passkeySignIn(bed.auth, account.key);
  expect(withPasskey.status).toBe(200);
  expect(await sessionsOf(account.userId)).toBe(before + 1);
});

test("a wrong password still answers like any wrong password: the passkey is not revealed", async () => {
  const account = await passkeyAccount();
  const response = await authRequest(bed.auth, "/sign-in/email", { body: { email: account.email, password: "not-the-password-at-all" } });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ code: "INVALID_EMAIL_OR_PASSWORD" });
});

test("someone with the password and an old session cannot swap the last passkey for their own", async () => {
  const account = await passkeyAccount();
  await ageSignIn({ db: bed.database.db, auth: bed.auth }, account.cookie);
  await (await callerAs({ db: bed.database.db, auth: bed.auth }, account.cookie)).account.reauthenticate({ method: "password", password: TEST_PASSWORD });
  const [key] = await bed.database.db.select({ id: passkey.id }).from(passkey).where(eq(passkey.userId, account.userId));

  const removal = await authRequest(bed.auth, "/passkey/delete-passkey", { body: { id: key!.id }, cookie: account.cookie });
  expect(removal.status).toBe(403);
  expect(await removal.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  expect(await bed.database.db.$count(passkey, eq(passkey.userId, account.userId))).toBe(1);

  // Proving the passkey itself (a passkey sign-in) is what lets its owner remove it.
  const proved = cookieHeader(await passkeySignIn(bed.auth, account.key));
  const owned = await authRequest(bed.auth, "/passkey/delete-passkey", { body: { id: key!.id }, cookie: proved });
  expect(owned.status).toBe(200);
  expect(await bed.database.db.$count(passkey, eq(passkey.userId, account.userId))).toBe(0);
});
