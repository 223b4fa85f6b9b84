import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ADMIN_ROLE_ID, passkey, sessionReauthentication, user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { STEP_UP_MAX_AGE_MS } from "@/server/auth/step-up";
import { TEST_PASSWORD, TEST_PUBLIC_URL, authRequest, cookieHeader, createSignedInOwner, createTestAuth, signUp } from "@/server/testing/auth";
import { auditRows, grantRole } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { SoftwareAuthenticator, passkeySignIn, registerPasskey } from "@/server/testing/passkey-authenticator";
import { ageSignIn, sessionIdOf } from "@/server/testing/step-up";
import { callerAs } from "@/server/testing/trpc";
import { codeAt, enrolledUser, passwordSignIn } from "@/server/testing/two-factor";

/**
 * Adding a second factor is a step-up change: a passkey through better-auth's real registration
 * requests (signed by a software authenticator), an authenticator app through the two-factor plugin.
 */

const TWENTY_HOURS_MS = 20 * 60 * 60 * 1000;

let database: TestDatabase;
let auth: Auth;

beforeAll(async () => {
  // Owner and admin require a second factor, as migrated: the forced-enrolment case needs it.
  database = await createTestDatabase({ roleMfaRequirement: "as-migrated" });
  auth = await createTestAuth(database.db);
  await createSignedInOwner(database.db, auth);
});

afterAll(() => database.destroy());

function authenticator() {
  return new SoftwareAuthenticator(new URL(TEST_PUBLIC_URL).origin);
}

async function passkeysOf(userId: string) {
  return database.db.select({ id: passkey.id, name: passkey.name }).from(passkey).where(eq(passkey.userId, userId));
}

async function reauthenticate(cookie: string, input: Parameters<Awaited<ReturnType<typeof callerAs>>["account"]["reauthenticate"]>[0]) {
  return (await callerAs({ db: database.db, auth }, cookie)).account.reauthenticate(input);
}

async function proofOf(cookie: string) {
  const [row] = await database.db
    .select()
    .from(sessionReauthentication)
    .where(eq(sessionReauthentication.sessionId, await sessionIdOf(auth, cookie)));
  return row;
}

/** An account whose only second factor is a passkey, signed in with that passkey just now. */
async function passkeyUser() {
  const account = await signUp(auth);
  const key = authenticator();
  const { verified } = await registerPasskey(auth, account.cookie, key, "First key");
  expect(verified?.status).toBe(200);
  return { ...account, key };
}

test("the issue's attack: a session signed in 20 hours ago cannot add a passkey without confirming it is you", async () => {
  const victim = await signUp(auth);
  // A challenge fetched while the session was fresh does not help either.
  const early = await authRequest(auth, "/passkey/generate-register-options", { cookie: victim.cookie });
  expect(early.status).toBe(200);
  const earlyChallenge = (await early.json()) as { challenge: string; rp: { id: string } };
  await ageSignIn({ db: database.db, auth }, victim.cookie, TWENTY_HOURS_MS);

  const attacker = authenticator();
  const { options } = await registerPasskey(auth, victim.cookie, attacker);
  expect(options.status).toBe(403);
  expect(await options.json()).toEqual({
    code: "REAUTH_REQUIRED",
    message: "To add a passkey, confirm it is you: enter your password.",
    secondFactor: false,
  });
  const late = await authRequest(auth, "/passkey/verify-registration", {
    body: { response: attacker.attestation(earlyChallenge), name: "Attacker key" },
    cookie: `${victim.cookie}; ${cookieHeader(early)}`,
  });
  expect(late.status).toBe(403);
  expect(await late.json()).toMatchObject({ code: "REAUTH_REQUIRED" });
  expect(await passkeysOf(victim.userId)).toEqual([]);
  expect(await auditRows(database.db, { action: "auth.passkey_added", targetId: victim.userId })).toEqual([]);

  // The owner of the account confirms with the password (it has no second factor) and can add one.
  await reauthenticate(victim.cookie, { method: "password", password: TEST_PASSWORD });
  const { verified } = await registerPasskey(auth, victim.cookie, authenticator(), "Laptop");
  expect(verified?.status).toBe(200);
  expect((await passkeysOf(victim.userId)).map((row) => row.name)).toEqual(["Laptop"]);
});

test("a user with no second factor adds a first passkey within 10 minutes of signing in, and signing in with it proves a second factor", async () => {
  const account = await signUp(auth);
  const key = authenticator();
  const { options, verified } = await registerPasskey(auth, account.cookie, key, "Phone");
  expect(options.status).toBe(200);
  expect(verified?.status).toBe(200);
  const [event] = await auditRows(database.db, { action: "auth.passkey_added", targetId: account.userId });
  expect(event?.details).toMatchObject({ name: "Phone" });

  const signedIn = await passkeySignIn(auth, key);
  expect(signedIn.status).toBe(200);
  const cookie = cookieHeader(signedIn);
  expect(await proofOf(cookie)).toMatchObject({ method: "passkey", secondFactorAt: expect.any(Date) });
  // That sign-in is enough to add a second passkey.
  expect((await registerPasskey(auth, cookie, authenticator(), "Laptop")).verified?.status).toBe(200);
  expect(await passkeysOf(account.userId)).toHaveLength(2);
});

test("for an account with a second factor, a password alone is not enough; a code from the app is", async () => {
  const account = await enrolledUser(auth);
  // The session that enrolled the app proved the password, not the app.
  const refused = await registerPasskey(auth, account.cookie, authenticator());
  expect(refused.options.status).toBe(403);
  expect(await refused.options.json()).toEqual({
    code: "REAUTH_REQUIRED",
    message:
      "To add a passkey, confirm it is you with a second factor: a code from your authenticator app, a backup code or a passkey. Your account has one, so a password alone is not enough.",
    secondFactor: true,
  });

  await reauthenticate(account.cookie, { method: "password", password: TEST_PASSWORD });
  expect(await proofOf(account.cookie)).toMatchObject({ method: "password", secondFactorAt: null });
  expect((await registerPasskey(auth, account.cookie, authenticator())).options.status).toBe(403);

  await reauthenticate(account.cookie, { method: "totp", code: codeAt(account.totp) });
  expect(await proofOf(account.cookie)).toMatchObject({ method: "totp", secondFactorAt: expect.any(Date) });
  expect((await registerPasskey(auth, account.cookie, authenticator(), "Security key")).verified?.status).toBe(200);

  // A password step-up afterwards keeps the second factor it proved.
  await reauthenticate(account.cookie, { method: "password", password: TEST_PASSWORD });
  expect(await proofOf(account.cookie)).toMatchObject({ method: "password", secondFactorAt: expect.any(Date) });
});

test("a backup code step-up counts as a second factor", async () => {
  const account = await enrolledUser(auth);
  expect((await registerPasskey(auth, account.cookie, authenticator())).options.status).toBe(403);
  await reauthenticate(account.cookie, { method: "backup_code", code: account.backupCodes[0]! });
  expect((await registerPasskey(auth, account.cookie, authenticator())).verified?.status).toBe(200);
});

test("a sign-in through the two-factor challenge proves a second factor for 10 minutes; a trusted device's sign-in does not", async () => {
  const account = await enrolledUser(auth);
  const challenge = await passwordSignIn(auth, account.email);
  const verified = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp), trustDevice: true }, cookie: challenge.cookie });
  expect(verified.status).toBe(200);
  const cookie = cookieHeader(verified);
  expect(await proofOf(cookie)).toMatchObject({ method: "totp", secondFactorAt: expect.any(Date) });
  expect((await registerPasskey(auth, cookie, authenticator())).verified?.status).toBe(200);

  await ageSignIn({ db: database.db, auth }, cookie, STEP_UP_MAX_AGE_MS + 60_000);
  expect((await registerPasskey(auth, cookie, authenticator())).options.status).toBe(403);

  // The trusted device skips the challenge, so its session has proved nothing but the password.
  const trustCookie = verified.headers.getSetCookie().find((set) => set.startsWith("gatehouse.trust_device="))!.split(";")[0]!;
  const trusted = await passwordSignIn(auth, account.email, { cookie: trustCookie });
  expect(trusted.body.twoFactorRedirect).toBeUndefined();
  const refused = await registerPasskey(auth, trusted.cookie, authenticator());
  expect(refused.options.status).toBe(403);
  expect(await refused.options.json()).toMatchObject({ secondFactor: true });
});

test("a passkey-only account whose session only proved the password must use the passkey before adding another", async () => {
  const account = await passkeyUser();
  await ageSignIn({ db: database.db, auth }, account.cookie);
  await reauthenticate(account.cookie, { method: "password", password: TEST_PASSWORD });
  const withPassword = { cookie: account.cookie };
  const refused = await registerPasskey(auth, withPassword.cookie, authenticator());
  expect(refused.options.status).toBe(403);
  expect(await refused.options.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  // Nor can the authenticator app be the way in: setting one up needs the second factor too.
  const enable = await authRequest(auth, "/two-factor/enable", { body: { password: TEST_PASSWORD }, cookie: withPassword.cookie });
  expect(enable.status).toBe(403);
  expect(await enable.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  const [row] = await database.db.select({ on: user.twoFactorEnabled }).from(user).where(eq(user.id, account.userId));
  expect(row?.on).toBe(false);

  const withPasskey = cookieHeader(await passkeySignIn(auth, account.key));
  expect((await registerPasskey(auth, withPasskey, authenticator(), "Second key")).verified?.status).toBe(200);
  expect((await authRequest(auth, "/two-factor/enable", { body: { password: TEST_PASSWORD }, cookie: withPasskey })).status).toBe(200);
});

test("setting up the first authenticator app needs only the password, however old the session", async () => {
  const account = await signUp(auth);
  await ageSignIn({ db: database.db, auth }, account.cookie, TWENTY_HOURS_MS);
  expect((await authRequest(auth, "/two-factor/enable", { body: { password: TEST_PASSWORD }, cookie: account.cookie })).status).toBe(200);
});

test("the app's key and new backup codes are handed out only after a second factor", async () => {
  const account = await enrolledUser(auth);
  const body = { password: TEST_PASSWORD };
  for (const path of ["/two-factor/get-totp-uri", "/two-factor/generate-backup-codes"]) {
    const refused = await authRequest(auth, path, { body, cookie: account.cookie });
    expect(refused.status, path).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  }
  await reauthenticate(account.cookie, { method: "totp", code: codeAt(account.totp) });
  for (const path of ["/two-factor/get-totp-uri", "/two-factor/generate-backup-codes"]) {
    expect((await authRequest(auth, path, { body, cookie: account.cookie })).status, path).toBe(200);
  }
});

test("a user who must enrol a second factor can confirm their password and add a first passkey after 10 minutes", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  await ageSignIn({ db: database.db, auth }, admin.cookie);
  expect((await registerPasskey(auth, admin.cookie, authenticator())).options.status).toBe(403);
  await reauthenticate(admin.cookie, { method: "password", password: TEST_PASSWORD });
  expect((await registerPasskey(auth, admin.cookie, authenticator(), "Admin key")).verified?.status).toBe(200);
  expect((await (await callerAs({ db: database.db, auth }, admin.cookie)).account.mfaRequirement()).status.enrolled).toBe(true);
});
