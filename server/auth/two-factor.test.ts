import { eq } from "drizzle-orm";
import { TOTP, URI } from "otpauth";
import { afterAll, beforeAll, expect, test } from "vitest";
import { session, twoFactor, user } from "@/db/schema";
import { MFA_MAX_FAILED_ATTEMPTS, type Auth } from "@/server/auth/auth";
import { createClient } from "@/server/clients/commands";
import { TEST_PASSWORD, TEST_PUBLIC_URL, authRequest, cookieHeader, createSignedInOwner, openAuthTestBed, signUp } from "@/server/testing/auth";
import { auditRows } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { codeAt, sessionUserId, enrolledUser, wrongCode } from "@/server/testing/two-factor";
import { callerAs } from "@/server/testing/trpc";

let database: TestDatabase;
let auth: Auth;
let ownerId: string;

beforeAll(async () => {
  ({ database, auth } = await openAuthTestBed());
  ({ userId: ownerId } = await createSignedInOwner(database.db, auth));
});

afterAll(() => database.destroy());

async function startEnrolment(cookie: string) {
  const response = await authRequest(auth, "/two-factor/enable", { body: { password: TEST_PASSWORD }, cookie });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { totpURI: string; backupCodes: string[] };
  return { totpURI: body.totpURI, totp: URI.parse(body.totpURI) as TOTP, backupCodes: body.backupCodes };
}

/** Password sign-in of an enrolled user: the challenge cookie, and what the response says. */
async function startSignIn(email: string, oauthQuery?: string) {
  const response = await authRequest(auth, "/sign-in/email", {
    body: { email, password: TEST_PASSWORD, ...(oauthQuery ? { oauth_query: oauthQuery } : {}) },
  });
  expect(response.status).toBe(200);
  return { body: (await response.json()) as Record<string, unknown>, cookie: cookieHeader(response) };
}

function auditRowsOf(action: string, userId: string) {
  return auditRows(database.db, { action, targetId: userId });
}

test("enrolment asks for the password and switches TOTP on only after a code from the app", async () => {
  const account = await signUp(auth);
  const refused = await authRequest(auth, "/two-factor/enable", { body: { password: "not-the-password-at-all" }, cookie: account.cookie });
  expect(refused.status).toBe(400);

  const { totpURI, totp, backupCodes } = await startEnrolment(account.cookie);
  expect(totp.issuer).toBe("Gatehouse");
  expect(totp.label).toBe(account.email);
  expect(backupCodes).toHaveLength(10);
  expect(new Set(backupCodes).size).toBe(10);

  const [pending] = await database.db.select().from(user).where(eq(user.id, account.userId));
  expect(pending?.twoFactorEnabled).toBe(false);
  // Until confirmed, a password alone still signs in.
  expect((await startSignIn(account.email)).body.twoFactorRedirect).toBeUndefined();

  const confirmed = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(totp) }, cookie: account.cookie });
  expect(confirmed.status).toBe(200);
  const [enabled] = await database.db.select().from(user).where(eq(user.id, account.userId));
  expect(enabled?.twoFactorEnabled).toBe(true);

  const [stored] = await database.db.select().from(twoFactor).where(eq(twoFactor.userId, account.userId));
  const secret = totp.secret.base32;
  expect(stored?.secret).not.toContain(secret);
  for (const code of backupCodes) expect(stored?.backupCodes).not.toContain(code);

  const [enrolled] = await auditRowsOf("auth.mfa_enrolled", account.userId);
  expect(enrolled?.actorUserId).toBe(account.userId);
  expect(JSON.stringify(enrolled)).not.toContain(secret);
  expect(JSON.stringify(enrolled)).not.toContain(totpURI);
});

test("a password sign-in of an enrolled user gives a challenge and no session until a valid TOTP code", async () => {
  const account = await enrolledUser(auth);
  // enrolledUser's own sign-in, before the second factor existed.
  const signInsBefore = (await auditRowsOf("auth.sign_in", account.userId)).length;
  const challenge = await startSignIn(account.email);
  expect(challenge.body.twoFactorRedirect).toBe(true);
  expect(challenge.body.twoFactorMethods).toEqual(["totp"]);
  expect(await sessionUserId(auth, challenge.cookie)).toBeNull();
  const sessionsBefore = await database.db.select().from(session).where(eq(session.userId, account.userId));

  const verified = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp, 1) }, cookie: challenge.cookie });
  expect(verified.status).toBe(200);
  expect(await sessionUserId(auth, cookieHeader(verified))).toBe(account.userId);
  const sessionsAfter = await database.db.select().from(session).where(eq(session.userId, account.userId));
  expect(sessionsAfter).toHaveLength(sessionsBefore.length + 1);

  const signIns = (await auditRowsOf("auth.sign_in", account.userId)).slice(signInsBefore);
  // One row for the whole sign-in: the password step alone did not sign anyone in.
  expect(signIns.map((row) => row.details)).toEqual([{ method: "password", secondFactor: "totp" }]);
});

test("a wrong code is refused and audited without the code", async () => {
  const account = await enrolledUser(auth);
  const challenge = await startSignIn(account.email);
  const code = wrongCode(account.totp);
  const refused = await authRequest(auth, "/two-factor/verify-totp", { body: { code }, cookie: challenge.cookie });
  expect(refused.status).toBe(401);
  expect(await sessionUserId(auth, cookieHeader(refused))).toBeNull();

  const [failed] = await auditRowsOf("auth.mfa_failed", account.userId);
  expect(failed?.actorUserId).toBeNull();
  expect(failed?.details).toMatchObject({ method: "totp", reason: "INVALID_CODE" });
  expect(JSON.stringify(failed)).not.toContain(code);
});

test(`${MFA_MAX_FAILED_ATTEMPTS} wrong codes lock the second factor even for a valid code, from whichever addresses`, async () => {
  const account = await enrolledUser(auth);
  const challenge = await startSignIn(account.email);
  // One address per guess, so that only the account's own lockout can stop them.
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS; attempt += 1) {
    const ip = `198.51.100.${attempt + 1}`;
    await authRequest(auth, "/two-factor/verify-totp", { body: { code: wrongCode(account.totp) }, cookie: challenge.cookie, ip });
  }
  const retry = await startSignIn(account.email);
  const locked = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp) }, cookie: retry.cookie, ip: "198.51.100.99" });
  expect(locked.status).toBe(429);
  expect(await locked.json()).toMatchObject({ code: "ACCOUNT_TEMPORARILY_LOCKED" });
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
  expect(await sessionUserId(auth, cookieHeader(locked))).toBeNull();
});

test("a backup code signs in once", async () => {
  const account = await enrolledUser(auth);
  const [code] = account.backupCodes;
  const first = await startSignIn(account.email);
  const used = await authRequest(auth, "/two-factor/verify-backup-code", { body: { code }, cookie: first.cookie });
  expect(used.status).toBe(200);
  expect(await sessionUserId(auth, cookieHeader(used))).toBe(account.userId);

  const second = await startSignIn(account.email);
  const reused = await authRequest(auth, "/two-factor/verify-backup-code", { body: { code }, cookie: second.cookie });
  expect(reused.status).toBe(401);
  expect(await sessionUserId(auth, cookieHeader(reused))).toBeNull();
});

test("regenerating backup codes needs a second factor and the password, and retires the old set", async () => {
  const account = await enrolledUser(auth);
  // The session that enrolled proved the password only; new codes work as a second factor.
  const withoutCode = await authRequest(auth, "/two-factor/generate-backup-codes", { body: { password: TEST_PASSWORD }, cookie: account.cookie });
  expect(withoutCode.status).toBe(403);
  expect(await withoutCode.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  await (await callerAs({ db: database.db, auth }, account.cookie)).account.reauthenticate({ method: "totp", code: codeAt(account.totp) });

  const refused = await authRequest(auth, "/two-factor/generate-backup-codes", {
    body: { password: "not-the-password-at-all" },
    cookie: account.cookie,
  });
  expect(refused.status).toBe(400);

  const regenerated = await authRequest(auth, "/two-factor/generate-backup-codes", { body: { password: TEST_PASSWORD }, cookie: account.cookie });
  expect(regenerated.status).toBe(200);
  const { backupCodes } = (await regenerated.json()) as { backupCodes: string[] };
  expect(backupCodes).toHaveLength(10);

  const old = await startSignIn(account.email);
  expect((await authRequest(auth, "/two-factor/verify-backup-code", { body: { code: account.backupCodes[0] }, cookie: old.cookie })).status).toBe(401);
  const fresh = await startSignIn(account.email);
  expect((await authRequest(auth, "/two-factor/verify-backup-code", { body: { code: backupCodes[0] }, cookie: fresh.cookie })).status).toBe(200);

  const rows = await auditRowsOf("auth.backup_codes_regenerated", account.userId);
  expect(rows).toHaveLength(1);
  expect(JSON.stringify(rows)).not.toContain(backupCodes[0]);
});

test("disabling TOTP needs the password and a code from the app, after which a password alone signs in again", async () => {
  const account = await enrolledUser(auth);
  // The app is the last factor: the password alone does not remove it, a code from it does.
  const passwordOnly = await authRequest(auth, "/two-factor/disable", { body: { password: TEST_PASSWORD }, cookie: account.cookie });
  expect(passwordOnly.status).toBe(403);
  expect(await passwordOnly.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  await (await callerAs({ db: database.db, auth }, account.cookie)).account.reauthenticate({ method: "totp", code: codeAt(account.totp) });
  const refused = await authRequest(auth, "/two-factor/disable", { body: { password: "not-the-password-at-all" }, cookie: account.cookie });
  expect(refused.status).toBe(400);
  expect(await auditRowsOf("auth.mfa_removed", account.userId)).toHaveLength(0);

  const disabled = await authRequest(auth, "/two-factor/disable", { body: { password: TEST_PASSWORD }, cookie: account.cookie });
  expect(disabled.status).toBe(200);
  const [row] = await database.db.select().from(user).where(eq(user.id, account.userId));
  expect(row?.twoFactorEnabled).toBe(false);
  expect(await database.db.select().from(twoFactor).where(eq(twoFactor.userId, account.userId))).toHaveLength(0);

  const signIn = await startSignIn(account.email);
  expect(signIn.body.twoFactorRedirect).toBeUndefined();
  expect(await sessionUserId(auth, signIn.cookie)).toBe(account.userId);
  expect(await auditRowsOf("auth.mfa_removed", account.userId)).toHaveLength(1);
});

test("an OAuth authorization request waits for the second factor and then carries on to consent", async () => {
  const account = await enrolledUser(auth);
  const { client } = await database.db.transaction((tx) =>
    createClient(
      tx,
      { name: "MFA app", type: "public", redirectUris: ["http://127.0.0.1:8765/callback"], scopes: ["openid"], authMethod: "client_secret_basic", domainId: null, skipConsent: false },
      { createdBy: ownerId, mcpResource: `${TEST_PUBLIC_URL}/mcp` },
    ),
  );
  const authorize = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: "http://127.0.0.1:8765/callback",
    scope: "openid",
    state: "state-1",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
  });
  const started = await authRequest(auth, `/oauth2/authorize?${authorize}`);
  const signInPage = new URL(started.headers.get("location") ?? ((await started.json()) as { url: string }).url, TEST_PUBLIC_URL);
  expect(signInPage.pathname).toBe("/sign-in");
  const oauthQuery = signInPage.search.slice(1);

  const challenge = await startSignIn(account.email, oauthQuery);
  expect(challenge.body).toMatchObject({ twoFactorRedirect: true });
  expect(challenge.body.url).toBeUndefined();

  const verified = await authRequest(auth, "/two-factor/verify-totp", {
    body: { code: codeAt(account.totp, 1), oauth_query: oauthQuery },
    cookie: challenge.cookie,
  });
  expect(verified.status).toBe(200);
  const next = (await verified.json()) as { redirect?: boolean; url?: string };
  expect(next.redirect).toBe(true);
  expect(new URL(next.url ?? "", TEST_PUBLIC_URL).pathname).toBe("/consent");
});
