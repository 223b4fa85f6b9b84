import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { MEMBER_ROLE_ID, account, invitation, session, user, userBan } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { TEST_PASSWORD, TEST_PUBLIC_URL, authRequest, signIn, uniqueEmail, authTestBed } from "@/server/testing/auth";
import { auditRows, createDomain, hasRole } from "@/server/testing/authz";
import { createAccount } from "./accounts";
import {
  INVITATION_INVALID,
  INVITATION_TTL_MS,
  acceptInvitation,
  invitationUrl,
  isInvitationUsable,
  issueInvitation,
} from "./invitation";
import { acceptInvitationRequest } from "./invitation-http";

const bed = authTestBed();

async function invite(now = new Date()) {
  const email = uniqueEmail("invitee");
  return bed.database.db.transaction(async (tx) => {
    const created = await createAccount(bed.auth, tx, { email, name: "Invitee", emailVerified: false });
    const issued = await issueInvitation(tx, { userId: created.id, invitedBy: null }, now);
    return { userId: created.id, email, ...issued };
  });
}

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

function post(body: unknown, contentType = "application/json") {
  return acceptInvitationRequest(
    { db: bed.database.db, auth: bed.auth },
    new Request(`${TEST_PUBLIC_URL}/api/invite`, {
      method: "POST",
      headers: { "content-type": contentType, origin: TEST_PUBLIC_URL },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

test("an invitation stores only the token's hash and expires after seven days", async () => {
  const now = new Date("2026-03-01T00:00:00Z");
  const issued = await invite(now);
  expect(issued.token).toMatch(/^[\w-]{43}$/);
  expect(issued.expiresAt.getTime() - now.getTime()).toBe(INVITATION_TTL_MS);
  const [row] = await bed.database.db.select().from(invitation).where(eq(invitation.userId, issued.userId));
  expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  expect(row?.tokenHash).not.toContain(issued.token);
  expect(invitationUrl("https://gate.example/base/", issued.token)).toBe(`https://gate.example/base/invite?token=${issued.token}`);
});

test("a link is usable until just before it expires, and refused from then on", async () => {
  const issuedAt = new Date();
  const first = await invite(issuedAt);
  const justAfter = new Date(issuedAt.getTime() + INVITATION_TTL_MS + 1);
  expect(await isInvitationUsable(bed.database.db, first.token, justAfter)).toBe(false);
  const expired = await domainError(
    acceptInvitation({ db: bed.database.db, auth: bed.auth }, first.token, { password: TEST_PASSWORD }, { now: justAfter }),
  );
  expect(expired).toMatchObject({ code: "INVALID_INPUT", message: INVITATION_INVALID });

  const second = await invite(issuedAt);
  const justBefore = new Date(issuedAt.getTime() + INVITATION_TTL_MS - 1);
  await expect(
    acceptInvitation({ db: bed.database.db, auth: bed.auth }, second.token, { password: TEST_PASSWORD }, { now: justBefore }),
  ).resolves.toEqual({ userId: second.userId, email: second.email });
});

test("an unknown or empty token is refused without touching any account", async () => {
  for (const token of ["", "not-a-real-token"]) {
    expect(await isInvitationUsable(bed.database.db, token)).toBe(false);
    const error = await domainError(acceptInvitation({ db: bed.database.db, auth: bed.auth }, token, { password: TEST_PASSWORD }));
    expect(error.message).toBe(INVITATION_INVALID);
  }
});

test("a weak password is refused per field and leaves the link usable", async () => {
  const issued = await invite();
  const error = await domainError(acceptInvitation({ db: bed.database.db, auth: bed.auth }, issued.token, { password: "password1234" }));
  expect(error.code).toBe("INVALID_INPUT");
  expect(error.fields?.password).toMatch(/too common/);
  expect(await isInvitationUsable(bed.database.db, issued.token)).toBe(true);
  expect(await bed.database.db.select().from(account).where(eq(account.userId, issued.userId))).toHaveLength(0);
});

test("a suspended invitee cannot accept, and nothing is claimed", async () => {
  const issued = await invite();
  await bed.database.db.insert(userBan).values({ userId: issued.userId, reason: "test" });
  const error = await domainError(acceptInvitation({ db: bed.database.db, auth: bed.auth }, issued.token, { password: TEST_PASSWORD }));
  expect(error.message).toMatch(/suspended/);
  expect(await isInvitationUsable(bed.database.db, issued.token)).toBe(true);
  expect(await bed.database.db.select().from(account).where(eq(account.userId, issued.userId))).toHaveLength(0);
});

test("accepting links a credential, keeps the name unless given, and audits once", async () => {
  const issued = await invite();
  await acceptInvitation({ db: bed.database.db, auth: bed.auth }, issued.token, { password: TEST_PASSWORD });
  const [row] = await bed.database.db.select().from(user).where(eq(user.id, issued.userId));
  expect(row).toMatchObject({ name: "Invitee" });
  const credentials = await bed.database.db.select().from(account).where(eq(account.userId, issued.userId));
  expect(credentials).toEqual([expect.objectContaining({ providerId: "credential", accountId: issued.userId })]);
  expect(credentials[0]?.password).not.toContain(TEST_PASSWORD);
  const audited = (await auditRows(bed.database.db, { action: "user.invitation_accepted" })).filter((r) => r.targetId === issued.userId);
  expect(audited).toEqual([expect.objectContaining({ actorUserId: issued.userId, actorVia: "web", details: {} })]);
  await expect(signIn(bed.auth, issued.email)).resolves.toHaveProperty("cookie");
});

test("POST /api/invite answers 201 without signing anyone in, then refuses the used link", async () => {
  const issued = await invite();
  const response = await post({ token: issued.token, password: TEST_PASSWORD, name: "Route Person" });
  expect(response.status).toBe(201);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(await response.json()).toEqual({ userId: issued.userId });
  // Whoever holds the link set the password; the second factor and everything else still lie ahead.
  expect(response.headers.getSetCookie()).toEqual([]);
  expect(await bed.database.db.select().from(session).where(eq(session.userId, issued.userId))).toHaveLength(0);
  await expect(signIn(bed.auth, issued.email)).resolves.toHaveProperty("cookie");

  const again = await post({ token: issued.token, password: TEST_PASSWORD });
  expect(again.status).toBe(400);
  expect(await again.json()).toMatchObject({ error: { code: "INVALID_INPUT", message: INVITATION_INVALID } });
});

test("accepting an invitation does not verify the address, so a claiming domain is not joined", async () => {
  const claimed = `invited-${Date.now()}.example`;
  const tenant = await createDomain(bed.database.db, { emailDomains: [claimed] });
  const email = `someone@${claimed}`;
  const { userId, token } = await bed.database.db.transaction(async (tx) => {
    const created = await createAccount(bed.auth, tx, { email, name: "Claimed Invitee", emailVerified: false });
    return { userId: created.id, ...(await issueInvitation(tx, { userId: created.id, invitedBy: null })) };
  });
  expect((await post({ token, password: TEST_PASSWORD })).status).toBe(201);
  const [row] = await bed.database.db.select({ emailVerified: user.emailVerified }).from(user).where(eq(user.id, userId));
  expect(row?.emailVerified).toBe(false);
  expect(await hasRole(bed.database.db, userId, MEMBER_ROLE_ID, tenant.id)).toBe(false);
});

test("POST /api/invite refuses a body that is not JSON, or has no token, with a 400", async () => {
  expect((await post("token=x", "application/x-www-form-urlencoded")).status).toBe(400);
  expect((await post("{not json")).status).toBe(400);
  expect((await post({ password: TEST_PASSWORD })).status).toBe(400);
  expect((await post({ token: 42, password: TEST_PASSWORD })).status).toBe(400);
});

test("an invitee cannot sign in before accepting", async () => {
  const issued = await invite();
  const response = await authRequest(bed.auth, "/sign-in/email", { body: { email: issued.email, password: TEST_PASSWORD } });
  expect(response.status).toBe(401);
});
