import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { auditEvent, passkey, passkeyUse } from "@/db/schema";
import { recordPasskeyRegistration, recordPasskeySignIn } from "@/server/auth/plugins/passkey-bookkeeping";
import { authRequest, cookieHeader, signUp, authTestBed } from "@/server/testing/auth";
import { auditRows } from "@/server/testing/authz";
import { insertPasskeyRow } from "@/server/testing/two-factor";
import { expectConsoleError } from "@/server/testing/setup";
import { callerAs } from "@/server/testing/trpc";

/**
 * What can be checked without a browser's authenticator: the list, and what the hooks record around
 * better-auth's passkey endpoints. Registering and signing in with a real credential is the
 * Playwright journey (e2e/passkeys.spec.ts), which uses Chromium's virtual authenticator.
 */

const bed = authTestBed({ owner: true });

function storedPasskey(userId: string, name: string, createdAt = new Date()) {
  return insertPasskeyRow(bed.database.db, userId, { name, createdAt });
}

function auditRowsOf(action: string, userId: string) {
  return auditRows(bed.database.db, { action, targetId: userId });
}

test("account.passkeys lists only the caller's own passkeys, oldest first, with when each was last used", async () => {
  const me = await signUp(bed.auth);
  const someoneElse = await signUp(bed.auth);
  const laptop = await storedPasskey(me.userId, "Laptop", new Date("2026-01-01T10:00:00Z"));
  const phone = await storedPasskey(me.userId, "Phone", new Date("2026-02-01T10:00:00Z"));
  await storedPasskey(someoneElse.userId, "Not mine");
  const usedAt = new Date("2026-03-01T12:00:00Z");
  await bed.database.db.insert(passkeyUse).values({ passkeyId: phone.id, lastUsedAt: usedAt });

  const caller = await callerAs({ db: bed.database.db, auth: bed.auth }, me.cookie);
  expect(await caller.account.passkeys()).toEqual([
    { id: laptop.id, name: "Laptop", createdAt: laptop.createdAt, lastUsedAt: null },
    { id: phone.id, name: "Phone", createdAt: phone.createdAt, lastUsedAt: usedAt },
  ]);
});

test("account.passkeys needs a session", async () => {
  const anonymous = await callerAs({ db: bed.database.db, auth: bed.auth });
  await expect(anonymous.account.passkeys()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
});

test("deleting a passkey through better-auth removes it with its last-used time and audits the removal", async () => {
  const me = await signUp(bed.auth);
  // Not the last one: removing the last factor asks for that factor first (see plugins/factor-removal.ts).
  await storedPasskey(me.userId, "New laptop");
  const key = await storedPasskey(me.userId, "Old laptop");
  await bed.database.db.insert(passkeyUse).values({ passkeyId: key.id, lastUsedAt: new Date() });

  const response = await authRequest(bed.auth, "/passkey/delete-passkey", { body: { id: key.id }, cookie: me.cookie });
  expect(response.status).toBe(200);

  expect(await bed.database.db.select().from(passkey).where(eq(passkey.id, key.id))).toHaveLength(0);
  expect(await bed.database.db.select().from(passkeyUse).where(eq(passkeyUse.passkeyId, key.id))).toHaveLength(0);
  const [event] = await auditRowsOf("auth.passkey_removed", me.userId);
  expect(event).toMatchObject({ actorUserId: me.userId, targetType: "user", details: { passkeyId: key.id } });
});

test("someone else's passkey can be neither deleted nor renamed, and nothing is audited", async () => {
  const owner = await signUp(bed.auth);
  const intruder = await signUp(bed.auth);
  const key = await storedPasskey(owner.userId, "Security key");

  const deleted = await authRequest(bed.auth, "/passkey/delete-passkey", { body: { id: key.id }, cookie: intruder.cookie });
  expect(deleted.status).toBe(401);
  const renamed = await authRequest(bed.auth, "/passkey/update-passkey", { body: { id: key.id, name: "Mine now" }, cookie: intruder.cookie });
  expect(renamed.status).toBe(401);

  const [row] = await bed.database.db.select().from(passkey).where(eq(passkey.id, key.id));
  expect(row?.name).toBe("Security key");
  expect(await auditRowsOf("auth.passkey_removed", owner.userId)).toHaveLength(0);
  expect(await auditRowsOf("auth.passkey_removed", intruder.userId)).toHaveLength(0);
});

test("renaming one's own passkey goes through better-auth and shows in the list", async () => {
  const me = await signUp(bed.auth);
  const key = await storedPasskey(me.userId, "Phone");
  const response = await authRequest(bed.auth, "/passkey/update-passkey", { body: { id: key.id, name: "Work phone" }, cookie: me.cookie });
  expect(response.status).toBe(200);
  const caller = await callerAs({ db: bed.database.db, auth: bed.auth }, me.cookie);
  expect((await caller.account.passkeys()).map((item) => item.name)).toEqual(["Work phone"]);
});

/** A sign-in ceremony started the way the browser starts it: the challenge lives behind a signed cookie. */
async function authenticationChallenge() {
  const response = await authRequest(bed.auth, "/passkey/generate-authenticate-options");
  expect(response.status).toBe(200);
  return cookieHeader(response);
}

/** A WebAuthn assertion that names a credential but whose signature cannot be right. */
function forgedAssertion(credentialId: string) {
  return {
    id: credentialId,
    rawId: credentialId,
    type: "public-key",
    clientExtensionResults: {},
    response: { clientDataJSON: "e30", authenticatorData: "AAAA", signature: "AAAA" },
  };
}

test("a failed passkey sign-in with a registered credential is audited against its user, and gives no session", async () => {
  const me = await signUp(bed.auth);
  const key = await storedPasskey(me.userId, "Laptop");
  // signUp's own password sign-in.
  const signInsBefore = (await auditRowsOf("auth.sign_in", me.userId)).length;
  // The plugin logs why it could not check the forged assertion.
  expectConsoleError();
  const response = await authRequest(bed.auth, "/passkey/verify-authentication", {
    body: { response: forgedAssertion(key.credentialID) },
    cookie: await authenticationChallenge(),
  });
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("gatehouse.session_token=") && !cookie.includes("Max-Age=0"))).toBe(false);

  const [failure] = await auditRowsOf("auth.sign_in_failed", me.userId);
  expect(failure).toMatchObject({ actorUserId: null, details: { method: "passkey", passkeyId: key.id } });
  expect(await auditRowsOf("auth.sign_in", me.userId)).toHaveLength(signInsBefore);
  expect(await bed.database.db.select().from(passkeyUse).where(eq(passkeyUse.passkeyId, key.id))).toHaveLength(0);
});

test("a passkey sign-in with an unknown credential names nobody and is not audited", async () => {
  const before = await bed.database.db.select().from(auditEvent).where(eq(auditEvent.action, "auth.sign_in_failed"));
  const response = await authRequest(bed.auth, "/passkey/verify-authentication", {
    body: { response: forgedAssertion(`unknown-${randomUUID()}`) },
    cookie: await authenticationChallenge(),
  });
  expect(response.status).toBe(401);
  const after = await bed.database.db.select().from(auditEvent).where(eq(auditEvent.action, "auth.sign_in_failed"));
  expect(after).toHaveLength(before.length);
});

test("registering a passkey needs a signed-in session", async () => {
  const response = await authRequest(bed.auth, "/passkey/generate-register-options");
  expect(response.status).toBe(401);
});

// The two hooks below follow a successful WebAuthn ceremony, which needs an authenticator to sign.
// They are driven here with the context better-auth hands them; the browser journey runs them for real.

test("after a verified registration the new passkey's id and name are audited, and no key material", async () => {
  const me = await signUp(bed.auth);
  const key = await storedPasskey(me.userId, "Laptop");
  await recordPasskeyRegistration(bed.database.db, {
    body: { response: { id: key.credentialID }, name: "Laptop" },
    headers: new Headers({ "user-agent": "test" }),
    context: { session: { user: { id: me.userId } }, returned: key },
  });
  const [event] = await auditRowsOf("auth.passkey_added", me.userId);
  expect(event?.details).toEqual({ passkeyId: key.id, name: "Laptop" });
});

test("after a verified passkey sign-in, its last-used time is set and both the use and the sign-in are audited", async () => {
  const me = await signUp(bed.auth);
  const key = await storedPasskey(me.userId, "Laptop");
  const signInsBefore = (await auditRowsOf("auth.sign_in", me.userId)).length;
  const signedIn = {
    body: { response: { id: key.credentialID } },
    headers: new Headers(),
    context: { newSession: { user: { id: me.userId } }, returned: { user: { id: me.userId } } },
  };
  await recordPasskeySignIn(bed.database.db, signedIn);
  const [first] = await bed.database.db.select().from(passkeyUse).where(eq(passkeyUse.passkeyId, key.id));
  expect(first?.lastUsedAt).toBeInstanceOf(Date);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await recordPasskeySignIn(bed.database.db, signedIn);
  const [second] = await bed.database.db.select().from(passkeyUse).where(eq(passkeyUse.passkeyId, key.id));
  expect(second!.lastUsedAt.getTime()).toBeGreaterThan(first!.lastUsedAt.getTime());

  const used = await auditRowsOf("auth.passkey_used", me.userId);
  expect(used).toHaveLength(2);
  expect(used[0]).toMatchObject({ actorUserId: me.userId, details: { passkeyId: key.id, name: "Laptop" } });
  const signIns = (await auditRowsOf("auth.sign_in", me.userId)).slice(signInsBefore);
  expect(signIns.map((row) => row.details)).toEqual([{ method: "passkey" }, { method: "passkey" }]);
});
