import { createHash } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { expect, test } from "vitest";
import { auditEvent, devOutboxMessage, issuedAccessToken, passwordResetRequest, session, user, verification } from "@/db/schema";
import { listOutboxMessages } from "@/server/email/send";
import { TEST_PASSWORD, authRequest, cookieHeader, createSignedInOwner, createTestAuth, followVerificationLink, outboxLink, signIn, signUp, uniqueEmail, authTestBed } from "@/server/testing/auth";
import { expectConsoleError } from "@/server/testing/setup";
import { issueUserToken, postMcp, toolCall } from "@/server/testing/mcp";
import { startOAuthTestServer } from "@/server/testing/oauth-server";
import { enrolledUser, insertPasskeyRow } from "@/server/testing/two-factor";
import { createAccount, hashPassword } from "@/server/users/accounts";

const NEW_PASSWORD = "a-brand-new-passphrase-for-gatehouse";

const bed = authTestBed({ owner: true });

async function messagesTo(email: string) {
  return bed.database.db.select().from(devOutboxMessage).where(eq(devOutboxMessage.to, email));
}

async function requestReset(email: string) {
  return authRequest(bed.auth, "/request-password-reset", { body: { email, redirectTo: "/reset-password" } });
}

/** The token of the newest reset link sent to `email`, taken from the outbox the way a person would click it. */
async function resetTokenFor(email: string): Promise<string> {
  const [message] = (await listOutboxMessages(bed.database.db)).filter(
    (candidate) => candidate.to === email && candidate.subject.includes("Reset"),
  );
  expect(message?.link).toBeTruthy();
  const link = new URL(message!.link!);
  expect(link.searchParams.get("callbackURL")).toBe("http://localhost:3000/reset-password");
  const token = /\/reset-password\/([^/?]+)$/.exec(link.pathname)?.[1];
  expect(token).toBeTruthy();
  return token!;
}

function resetPassword(token: string, newPassword = NEW_PASSWORD) {
  return authRequest(bed.auth, "/reset-password", { body: { token, newPassword } });
}

async function auditRows(action: string) {
  return bed.database.db.select().from(auditEvent).where(eq(auditEvent.action, action));
}

test("a reset request answers the same for a known and an unknown email, and only the known one gets a message", async () => {
  const { email } = await signUp(bed.auth);
  const unknown = uniqueEmail("nobody");
  const known = await requestReset(email);
  const missing = await requestReset(unknown);
  expect(known.status).toBe(200);
  expect(missing.status).toBe(200);
  expect(await known.json()).toEqual(await missing.json());
  expect((await messagesTo(email)).filter((message) => message.subject.includes("Reset"))).toHaveLength(1);
  expect(await messagesTo(unknown)).toHaveLength(0);
});

test("the emailed token resets the password once, and the new password signs in", async () => {
  const { email } = await signUp(bed.auth);
  await requestReset(email);
  const token = await resetTokenFor(email);

  const first = await resetPassword(token);
  expect(first.status).toBe(200);
  await signIn(bed.auth, email, NEW_PASSWORD);
  const old = await authRequest(bed.auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD } });
  expect(old.status).toBe(401);

  const second = await resetPassword(token, "yet-another-passphrase-for-gatehouse");
  expect(second.status).toBe(400);
  expect(((await second.json()) as { code: string }).code).toBe("INVALID_TOKEN");
});

test("the link in the email checks the token and lands on the reset page with it", async () => {
  const { email } = await signUp(bed.auth);
  await requestReset(email);
  const [message] = (await messagesTo(email)).filter((candidate) => candidate.subject.includes("Reset"));
  const link = new URL(message!.link!);
  const response = await authRequest(bed.auth, `${link.pathname.replace("/api/auth", "")}${link.search}`);
  expect(response.status).toBe(302);
  const landing = new URL(response.headers.get("location")!);
  expect(landing.pathname).toBe("/reset-password");
  expect(landing.searchParams.get("token")).toBe(await resetTokenFor(email));

  const bogus = await authRequest(bed.auth, `/reset-password/not-a-real-token${link.search}`);
  expect(new URL(bogus.headers.get("location")!).searchParams.get("error")).toBe("INVALID_TOKEN");
});

test("an expired token is refused and the password stays", async () => {
  const { email } = await signUp(bed.auth);
  await requestReset(email);
  const token = await resetTokenFor(email);
  await bed.database.db
    .update(verification)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(verification.value, (await userIdOf(email))!));

  const response = await resetPassword(token);
  expect(response.status).toBe(400);
  expect(((await response.json()) as { code: string }).code).toBe("INVALID_TOKEN");
  await signIn(bed.auth, email, TEST_PASSWORD);
});

test("the reset token is stored only as a hash, valid for one hour", async () => {
  const { email, userId } = await signUp(bed.auth);
  await requestReset(email);
  const token = await resetTokenFor(email);
  const rows = await bed.database.db.select().from(verification).where(eq(verification.value, userId));
  expect(rows).toHaveLength(1);
  const stored = rows[0]!;
  expect(stored.identifier).not.toContain(token);
  expect(stored.identifier).toBe(createHash("sha256").update(`reset-password:${token}`).digest("base64url"));
  const ttl = stored.expiresAt.getTime() - stored.createdAt.getTime();
  expect(ttl).toBeGreaterThan(59 * 60 * 1000);
  expect(ttl).toBeLessThanOrEqual(60 * 60 * 1000 + 1000);
});

test("a completed reset ends every session of the account", async () => {
  const { email, userId, cookie } = await signUp(bed.auth);
  const other = await signIn(bed.auth, email);
  await requestReset(email);
  await resetPassword(await resetTokenFor(email));

  expect(await bed.auth.api.getSession({ headers: new Headers({ cookie }) })).toBeNull();
  expect(await bed.auth.api.getSession({ headers: new Headers({ cookie: other.cookie }) })).toBeNull();
  expect(await bed.database.db.select().from(session).where(eq(session.userId, userId))).toHaveLength(0);
});

test("requests and completed resets are audited, with the account as target and no token anywhere", async () => {
  const { email, userId } = await signUp(bed.auth);
  const unknown = uniqueEmail("ghost");
  await requestReset(email);
  await requestReset(unknown);
  const token = await resetTokenFor(email);
  await resetPassword(token);

  const requested = await auditRows("auth.password_reset_requested");
  const forUser = requested.filter((row) => row.targetId === userId);
  expect(forUser).toHaveLength(1);
  expect(forUser[0]).toMatchObject({ actorUserId: null, targetType: "user" });
  const forUnknown = requested.filter((row) => (row.details as { email?: string }).email === unknown);
  expect(forUnknown).toHaveLength(1);
  expect(forUnknown[0]).toMatchObject({ actorUserId: null, targetType: null, targetId: null });

  const completed = (await auditRows("auth.password_reset_completed")).filter((row) => row.targetId === userId);
  expect(completed).toHaveLength(1);
  expect(completed[0]!.actorUserId).toBe(userId);

  const everything = JSON.stringify(await bed.database.db.select().from(auditEvent));
  expect(everything).not.toContain(token);
});

test("a bad reset request gets a 4xx with a JSON error, never a 500", async () => {
  for (const body of [{}, { email: "not-an-email" }]) {
    const response = await authRequest(bed.auth, "/request-password-reset", { body });
    expect(response.status).toBe(400);
    expect(await response.json()).toHaveProperty("message");
  }
  for (const body of [{}, { newPassword: NEW_PASSWORD }, { token: "nope", newPassword: NEW_PASSWORD }, { token: "nope" }]) {
    const response = await authRequest(bed.auth, "/reset-password", { body });
    expect(response.status).toBe(400);
    expect(await response.json()).toHaveProperty("message");
  }
});

test("the new password must follow the password rules", async () => {
  const { email } = await signUp(bed.auth);
  await requestReset(email);
  const token = await resetTokenFor(email);
  const common = await resetPassword(token, "password1234");
  expect(common.status).toBe(400);
  expect(((await common.json()) as { code: string }).code).toBe("PASSWORD_TOO_COMMON");
  const short = await resetPassword(token, "short-one");
  expect(short.status).toBe(400);
  expect((await resetPassword(token)).status).toBe(200);
});

test("sign-up sends a verification link to the console's page that verifies the email, audited", async () => {
  const { email, userId, cookie } = await signUp(bed.auth);
  const [message] = (await messagesTo(email)).filter((candidate) => candidate.subject.includes("Confirm"));
  expect(message?.link).toBeTruthy();
  const link = new URL(message!.link!);
  expect(`${link.origin}${link.pathname}`).toBe("http://localhost:3000/verify-email");

  const response = await followVerificationLink(bed.database.db, bed.auth, email, cookie);
  expect(response.status).toBe(200);
  const [row] = await bed.database.db.select({ emailVerified: user.emailVerified }).from(user).where(eq(user.id, userId));
  expect(row?.emailVerified).toBe(true);
  const audited = await bed.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "auth.email_verified"), eq(auditEvent.targetId, userId)));
  expect(audited).toHaveLength(1);
});

test("a tampered verification token is refused as invalid and verifies nothing", async () => {
  const { email, userId, cookie } = await signUp(bed.auth);
  const [message] = (await messagesTo(email)).filter((candidate) => candidate.subject.includes("Confirm"));
  const link = new URL(message!.link!);
  const response = await authRequest(bed.auth, `/verify-email?token=${encodeURIComponent(`${link.searchParams.get("token")}x`)}`, { cookie });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ code: "INVALID_TOKEN" });
  const [row] = await bed.database.db.select({ emailVerified: user.emailVerified }).from(user).where(eq(user.id, userId));
  expect(row?.emailVerified).toBe(false);
});

async function userIdOf(email: string) {
  const [row] = await bed.database.db.select({ id: user.id }).from(user).where(eq(user.email, email));
  return row?.id;
}

/** The current session a cookie jar holds, as the browser would ask for it. */
async function sessionOf(response: Response) {
  const answer = await authRequest(bed.auth, "/get-session", { cookie: cookieHeader(response) });
  return answer.json();
}

test("following the verification link signs nobody in, and confirms the address only for the account signed in", async () => {
  const { email, userId, cookie } = await signUp(bed.auth);
  // Whoever reads the mailbox opens the link in a browser with no session: no session comes of it.
  const response = await followVerificationLink(bed.database.db, bed.auth, email);
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ code: "SIGN_IN_TO_VERIFY" });
  expect(response.headers.getSetCookie().filter((cookie) => cookie.includes("session_token="))).toEqual([]);
  expect(await sessionOf(response)).toBeNull();
  const verified = async () => (await bed.database.db.select({ emailVerified: user.emailVerified }).from(user).where(eq(user.id, userId)))[0]?.emailVerified;
  expect(await verified()).toBe(false);

  const signedIn = await followVerificationLink(bed.database.db, bed.auth, email, cookie);
  expect(signedIn.status).toBe(200);
  expect(signedIn.headers.getSetCookie().filter((set) => set.includes("session_token="))).toEqual([]);
  expect(await verified()).toBe(true);
});

test("an address registered ahead of its owner is not confirmed when the owner follows the link", async () => {
  // Someone signs up with another person's address and a password only they know; the link goes to the real owner.
  const squatted = await signUp(bed.auth, uniqueEmail("squatted"));
  const owner = await signUp(bed.auth, uniqueEmail("mailbox-owner"));
  const byOwner = await followVerificationLink(bed.database.db, bed.auth, squatted.email, owner.cookie);
  expect(byOwner.status).toBe(403);
  const anonymous = await followVerificationLink(bed.database.db, bed.auth, squatted.email);
  expect(anonymous.status).toBe(403);
  const [row] = await bed.database.db.select({ emailVerified: user.emailVerified }).from(user).where(eq(user.id, squatted.userId));
  expect(row?.emailVerified).toBe(false);
});

test("the verification link does not stand in for the second factor of an account that has one", async () => {
  const enrolled = await enrolledUser(bed.auth);
  const response = await followVerificationLink(bed.database.db, bed.auth, enrolled.email);
  expect(response.status).toBe(403);
  expect(await sessionOf(response)).toBeNull();
});

async function askForVerificationEmail(email: string) {
  const started = performance.now();
  const response = await authRequest(bed.auth, "/send-verification-email", { body: { email } });
  return { status: response.status, body: await response.json(), ms: performance.now() - started };
}

function confirmations(email: string) {
  return messagesTo(email).then((messages) => messages.filter((message) => message.subject.includes("Confirm")));
}

test("asking for a verification email answers the same for an unknown, an unverified and a verified address", async () => {
  const unverified = await signUp(bed.auth);
  const verified = await signUp(bed.auth);
  await followVerificationLink(bed.database.db, bed.auth, verified.email, verified.cookie);
  const unknown = uniqueEmail("nobody");

  const answers = [
    await askForVerificationEmail(unknown),
    await askForVerificationEmail(unverified.email),
    await askForVerificationEmail(verified.email),
  ];
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: true });
    // better-auth holds every signed-out answer to at least half a second, so sending takes no visible time.
    expect(answer.ms).toBeGreaterThanOrEqual(480);
  }
  expect(await confirmations(unverified.email)).toHaveLength(2);
  expect(await confirmations(verified.email)).toHaveLength(1);
  expect(await confirmations(unknown)).toHaveLength(0);
});

test("a verification email that cannot be delivered answers as if the address were unknown", async () => {
  const failing = await createTestAuth(bed.database.db, {
    sendEmail: async () => {
      throw new Error("SMTP is down");
    },
  });
  const email = uniqueEmail("undeliverable");
  const passwordHash = await hashPassword(failing, TEST_PASSWORD);
  await bed.database.db.transaction((tx) => createAccount(failing, tx, { email, name: "Undeliverable", emailVerified: false, passwordHash }));
  expectConsoleError();

  const unverified = await authRequest(failing, "/send-verification-email", { body: { email } });
  const unknown = await authRequest(failing, "/send-verification-email", { body: { email: uniqueEmail("nobody") } });
  expect(unverified.status).toBe(unknown.status);
  expect(await unverified.json()).toEqual(await unknown.json());
});

test("each address gets at most three verification emails an hour, even from a parallel burst, refused alike for every address", async () => {
  const known = await signUp(bed.auth);
  const unknown = uniqueEmail("burst");
  const burst = (email: string) =>
    Promise.all(Array.from({ length: 6 }, () => authRequest(bed.auth, "/send-verification-email", { body: { email }, ip: randomIp() })));
  const [forKnown, forUnknown] = await Promise.all([burst(known.email), burst(unknown)]);

  for (const responses of [forKnown, forUnknown]) {
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 429, 429, 429]);
  }
  const refusals = await Promise.all(
    [...forKnown, ...forUnknown].filter((response) => response.status === 429).map((response) => response.json()),
  );
  expect(new Set(refusals.map((body) => JSON.stringify(body))).size).toBe(1);
  expect(refusals[0]).toEqual({
    code: "RATE_LIMITED",
    message: "Too many verification emails were asked for this address. Try again in 60 minutes.",
  });
  // The one sent at sign-up, and three of the six asked for.
  expect(await confirmations(known.email)).toHaveLength(4);

  const differentCase = await authRequest(bed.auth, "/send-verification-email", { body: { email: known.email.toUpperCase() } });
  expect(differentCase.status).toBe(429);
});

test("each address gets at most three password reset emails an hour, even from many networks at once", async () => {
  const known = await signUp(bed.auth);
  const unknown = uniqueEmail("reset-burst");
  const burst = (email: string) =>
    Promise.all(Array.from({ length: 6 }, () => authRequest(bed.auth, "/request-password-reset", { body: { email, redirectTo: "/reset-password" }, ip: randomIp() })));
  const [forKnown, forUnknown] = await Promise.all([burst(known.email), burst(unknown)]);
  for (const responses of [forKnown, forUnknown]) {
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 429, 429, 429]);
  }
  const refusals = await Promise.all([...forKnown, ...forUnknown].filter((response) => response.status === 429).map((response) => response.json()));
  expect(new Set(refusals.map((body) => JSON.stringify(body))).size).toBe(1);
  const resets = (await messagesTo(known.email)).filter((message) => message.subject.includes("Reset"));
  expect(resets).toHaveLength(3);
});

let ipSequence = 0;
function randomIp() {
  ipSequence += 1;
  return `198.51.100.${ipSequence % 250}`;
}

test("a newer reset link kills every earlier one, which then answers like a used link", async () => {
  const { email } = await signUp(bed.auth);
  await requestReset(email);
  const older = await resetTokenFor(email);
  await requestReset(email);
  const newer = await resetTokenFor(email);
  expect(newer).not.toBe(older);

  const [message] = (await messagesTo(email)).filter((candidate) => candidate.subject.includes("Reset"));
  const callback = new URL(message!.link!).search;
  const olderLink = await authRequest(bed.auth, `/reset-password/${older}${callback}`);
  expect(new URL(olderLink.headers.get("location")!).searchParams.get("error")).toBe("INVALID_TOKEN");
  const refused = await resetPassword(older);
  expect(refused.status).toBe(400);
  const refusal = await refused.json();
  expect(refusal).toMatchObject({ code: "INVALID_TOKEN" });
  await signIn(bed.auth, email, TEST_PASSWORD);

  expect((await resetPassword(newer)).status).toBe(200);
  const used = await resetPassword(newer, "yet-another-passphrase-for-gatehouse");
  expect(await used.json()).toEqual(refusal);
});

test("a completed reset leaves no link of the account alive", async () => {
  const { email, userId } = await signUp(bed.auth);
  await requestReset(email);
  const first = await resetTokenFor(email);
  await requestReset(email);
  const second = await resetTokenFor(email);
  expect((await resetPassword(second)).status).toBe(200);

  expect(await bed.database.db.select().from(passwordResetRequest).where(eq(passwordResetRequest.userId, userId))).toHaveLength(0);
  for (const token of [first, second]) {
    const response = await resetPassword(token, "one-more-passphrase-for-gatehouse");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("INVALID_TOKEN");
  }
  await signIn(bed.auth, email, NEW_PASSWORD);
});

test("only a hash of the live reset link is kept, one row per account", async () => {
  const { email, userId } = await signUp(bed.auth);
  await requestReset(email);
  await requestReset(email);
  const token = await resetTokenFor(email);
  const rows = await bed.database.db.select().from(passwordResetRequest).where(eq(passwordResetRequest.userId, userId));
  expect(rows).toHaveLength(1);
  expect(rows[0]!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
});

test("the confirmation email lists the account's passkeys and authenticator app, with a link to review them", async () => {
  const enrolled = await enrolledUser(bed.auth);
  const createdAt = new Date("2026-05-04T09:30:00Z");
  await insertPasskeyRow(bed.database.db, enrolled.userId, { name: "Work laptop", createdAt });
  await authRequest(bed.auth, "/two-factor/verify-backup-code", { body: { code: enrolled.backupCodes[0] }, cookie: enrolled.cookie });
  await requestReset(enrolled.email);
  expect((await resetPassword(await resetTokenFor(enrolled.email))).status).toBe(200);

  const [changed] = (await messagesTo(enrolled.email)).filter((message) => message.subject === "Your Gatehouse password was changed");
  expect(changed?.link).toBe("http://localhost:3000/account");
  expect(changed?.text).toContain("- Authenticator app: on, 9 backup codes left");
  expect(changed?.text).toContain("- Passkey “Work laptop”, added 2026-05-04 at 09:30 UTC");
  expect(changed?.text).toContain("http://localhost:3000/account");
  expect(changed?.text).toContain("Every session of the account was signed out");

  const plain = await signUp(bed.auth);
  await requestReset(plain.email);
  await resetPassword(await resetTokenFor(plain.email));
  const [plainChanged] = (await messagesTo(plain.email)).filter((message) => message.subject === "Your Gatehouse password was changed");
  expect(plainChanged?.text).toContain("- Authenticator app: off\n- Passkeys: none");
});

test("a completed reset revokes every refresh token and access token of the account, audited", async () => {
  const server = await startOAuthTestServer();
  try {
    await createSignedInOwner(server.database.db, server.auth);
    const person = await signUp(server.auth);
    const issued = await issueUserToken(server.baseUrl, person.cookie, { refresh: true });
    expect(issued.refreshToken).toBeTruthy();
    expect((await postMcp(server.baseUrl, issued.accessToken, toolCall("whoami"))).status).toBe(200);
    // A second access token and a rotated refresh token, from the refresh grant: the chain an MCP client keeps.
    const refresh = (refreshToken: string) =>
      fetch(`${server.baseUrl}/api/auth/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: issued.clientId, resource: `${server.baseUrl}/mcp` }),
      });
    const rotated = (await (await refresh(issued.refreshToken!)).json()) as { access_token: string; refresh_token: string };
    expect((await postMcp(server.baseUrl, rotated.access_token, toolCall("whoami"))).status).toBe(200);

    await fetch(`${server.baseUrl}/api/auth/request-password-reset`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.baseUrl },
      body: JSON.stringify({ email: person.email }),
    });
    const link = await outboxLink(server.database.db, person.email, "Reset");
    const token = /\/reset-password\/([^/?]+)$/.exec(link.pathname)![1]!;
    const reset = await fetch(`${server.baseUrl}/api/auth/reset-password`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.baseUrl },
      body: JSON.stringify({ token, newPassword: NEW_PASSWORD }),
    });
    expect(reset.status).toBe(200);

    for (const accessToken of [issued.accessToken, rotated.access_token]) {
      expect((await postMcp(server.baseUrl, accessToken, toolCall("whoami"))).status).toBe(401);
    }
    const refused = await refresh(rotated.refresh_token);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_grant" });
    const live = await server.database.db
      .select({ jti: issuedAccessToken.jti })
      .from(issuedAccessToken)
      .where(and(eq(issuedAccessToken.userId, person.userId), isNull(issuedAccessToken.revokedAt)));
    expect(live).toEqual([]);

    const [completed] = await server.database.db
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.action, "auth.password_reset_completed"), eq(auditEvent.targetId, person.userId)));
    expect(completed?.details).toMatchObject({ sessionsEnded: true, refreshTokensRevoked: 1 });
  } finally {
    await server.close();
  }
});
