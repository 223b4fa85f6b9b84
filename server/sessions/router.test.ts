import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { ADMIN_ROLE_ID, session } from "@/db/schema";
import { accessTokenStatus } from "@/server/oauth/issued-tokens";
import { signIn } from "@/server/testing/auth";
import { createDomain, grantRole, expectRefused, READABLE_ANYWHERE, type Caller, type Expected, type PersonaName, personaTestBed } from "@/server/testing/authz";
import { grantTestKit, type GrantMatrixRow } from "@/server/testing/grants";
import { outcome, rejection } from "@/server/testing/outcome";
import { sessionsRouter } from "./router";

const bed = personaTestBed();

const { seedClient, userIn, seedGrant, grantIn, refreshRevoked, consentCount, sessionIdOf, signedIn, eventsDuring, personaWith, matrixTests } = grantTestKit(() => bed);

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix

type SessionsProcedure = keyof typeof sessionsRouter._def.procedures;

const LIST = READABLE_ANYWHERE;

const REVOKE: Record<PersonaName, Expected> = { ...LIST, domainAdminOnB: "NOT_FOUND", auditor: "FORBIDDEN" };

/** A row for a procedure that ends one browser session of a user in the domain, audited on that user. */
function revokesOneSession(call: (caller: Caller, sessionId: string) => Promise<unknown>): GrantMatrixRow {
  return {
    permission: "tokens:delete",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId, cookie } = await userIn(domainId);
      const sessionId = await sessionIdOf(cookie);
      return {
        call: (caller) => call(caller, sessionId),
        event: { action: "session.revoked", targetType: "user", targetId: userId },
      };
    },
  };
}

const SESSIONS_MATRIX: Record<SessionsProcedure, GrantMatrixRow> = {
  list: {
    permission: "tokens:read",
    expected: LIST,
    prepare: async (domainId) => {
      const { userId } = await userIn(domainId);
      return { call: (caller) => caller.sessions.list({ userId }) };
    },
  },
  revoke: revokesOneSession((caller, sessionId) => caller.sessions.revoke({ sessionId })),
  revokeMany: revokesOneSession((caller, sessionId) => caller.sessions.revokeMany({ sessionIds: [sessionId] })),
  revokeAllForUser: {
    permission: "tokens:admin",
    expected: REVOKE,
    prepare: async (domainId) => {
      const { userId } = await grantIn(domainId);
      return {
        call: (caller) => caller.sessions.revokeAllForUser({ userId }),
        event: { action: "user.access_revoked", targetType: "user", targetId: userId },
      };
    },
  },
};


matrixTests("sessions", sessionsRouter, SESSIONS_MATRIX);

// ---------------------------------------------------------------------------------------------
// revokeMany

test("revokeMany ends every session of the batch, one audit event each", async () => {
  const first = await userIn(bed.personas.domainA.id);
  const second = await userIn(bed.personas.domainA.id);
  const sessionIds = [await sessionIdOf(first.cookie), await sessionIdOf(second.cookie)];
  const { value, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.sessions.revokeMany({ sessionIds }));
  expect(value).toEqual({ revoked: sessionIds.map((sessionId) => ({ sessionId })) });
  expect(await signedIn(first.cookie)).toBe(false);
  expect(await signedIn(second.cookie)).toBe(false);
  expect(events.filter((event) => event.action === "session.revoked").map((event) => event.targetId).sort()).toEqual(
    [first.userId, second.userId].sort(),
  );
});

test("a batch with one session of another domain is refused whole and ends nothing", async () => {
  const insider = await userIn(bed.personas.domainA.id);
  const outsider = await userIn(bed.personas.domainB.id);
  const outsiderSession = await sessionIdOf(outsider.cookie);
  const insiderSession = await sessionIdOf(insider.cookie);
  await expectRefused(
    bed.database.db,
    bed.personas.domainAdminA.caller.sessions.revokeMany({ sessionIds: [insiderSession, outsiderSession] }),
    "NOT_FOUND",
    new RegExp(`Session ${outsiderSession}: .*Nothing was changed`),
  );
  expect(await signedIn(insider.cookie)).toBe(true);
  expect(await signedIn(outsider.cookie)).toBe(true);
});

test("revokeMany refuses no ids, more than 100 or a repeated one, and an unknown session, as BAD_REQUEST or NOT_FOUND", async () => {
  for (const sessionIds of [[], Array.from({ length: 101 }, (_, index) => `s-${index}`), ["same", "same"]]) {
    expect(await rejection(bed.personas.owner.caller.sessions.revokeMany({ sessionIds }))).toMatchObject({ code: "BAD_REQUEST" });
  }
  expect(await rejection(bed.personas.owner.caller.sessions.revokeMany({ sessionIds: [randomUUID()] }))).toMatchObject({ code: "NOT_FOUND" });
});

// ---------------------------------------------------------------------------------------------
// revokeAllForUser

test("revokeAllForUser ends every grant and every browser session of the user, and nobody else's", async () => {
  const target = await userIn(bed.personas.domainA.id);
  const second = await signIn(bed.auth, target.email);
  const bystander = await userIn(bed.personas.domainA.id);
  const first = await seedClient(bed.personas.domainA.id);
  const other = await seedClient(null);
  const grantOne = await seedGrant(target.userId, first);
  const grantTwo = await seedGrant(target.userId, other);
  const kept = await seedGrant(bystander.userId, first);
  expect(await signedIn(target.cookie)).toBe(true);

  const { value, events } = await eventsDuring(() => bed.personas.owner.caller.sessions.revokeAllForUser({ userId: target.userId }));
  expect(value).toEqual({ accessTokens: 2, refreshTokens: 2, consents: 2, sessions: 2 });
  expect(await signedIn(target.cookie)).toBe(false);
  expect(await signedIn(second.cookie)).toBe(false);
  expect(await bed.database.db.$count(session, eq(session.userId, target.userId))).toBe(0);
  for (const grant of [grantOne, grantTwo]) {
    expect(await accessTokenStatus(bed.database.db, grant.jti)).toBe("revoked");
    expect(await refreshRevoked(grant.refreshId)).toBeInstanceOf(Date);
  }
  expect(await consentCount(target.userId)).toBe(0);
  expect((await bed.personas.owner.caller.grants.list({ userId: target.userId })).items).toEqual([]);

  expect(await signedIn(bystander.cookie)).toBe(true);
  expect(await accessTokenStatus(bed.database.db, kept.jti)).toBe("active");
  expect(await consentCount(bystander.userId)).toBe(1);

  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "user.access_revoked",
    targetType: "user",
    targetId: target.userId,
    details: { email: target.email, accessTokensRevoked: 2, refreshTokensRevoked: 2, consentsRevoked: 2, sessionsRevoked: 2 },
  });
});

test("revokeAllForUser of a user outside the caller's domains or unknown is NOT_FOUND and ends nothing", async () => {
  const outsider = await userIn(bed.personas.domainB.id);
  const { jti } = await seedGrant(outsider.userId, await seedClient(bed.personas.domainB.id));
  for (const userId of [outsider.userId, randomUUID()]) {
    const { error, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.sessions.revokeAllForUser({ userId }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "User not found." });
    expect(events).toEqual([]);
  }
  expect(await signedIn(outsider.cookie)).toBe(true);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("active");
});

test("revokeAllForUser needs tokens:admin over the user, not only tokens:read", async () => {
  const tenant = await createDomain(bed.database.db);
  const target = await userIn(tenant.id);
  const caller = await personaWith([
    { permissions: ["tokens:read"], domainId: null },
    { permissions: ["tokens:admin"], domainId: bed.personas.domainA.id },
  ]);
  const { error, events } = await eventsDuring(() => caller.caller.sessions.revokeAllForUser({ userId: target.userId }));
  expect(error).toMatchObject({ code: "FORBIDDEN", message: `${target.email} also belongs outside your domains; ask a global administrator.` });
  expect(events).toEqual([]);
  expect(await signedIn(target.cookie)).toBe(true);
});

test("a domain-admin cannot end the access of a member who also holds a global role with permissions", async () => {
  const stronger = await userIn(bed.personas.domainA.id, "stronger");
  await grantRole(bed.database.db, stronger.userId, ADMIN_ROLE_ID, null);
  const { jti } = await seedGrant(stronger.userId, await seedClient(null));
  const sessionId = await sessionIdOf(stronger.cookie);
  // Like a ban, ending every session and grant acts on the whole account, which reaches beyond domain A.
  for (const call of [
    () => bed.personas.domainAdminA.caller.sessions.revokeAllForUser({ userId: stronger.userId }),
    () => bed.personas.domainAdminA.caller.sessions.revoke({ sessionId }),
  ]) {
    const { error, events } = await eventsDuring(call);
    expect(error).toMatchObject({ code: "FORBIDDEN" });
    expect(events).toEqual([]);
  }
  expect(await outcome(bed.personas.domainAdminA.caller.users.ban({ id: stronger.userId }))).toBe("FORBIDDEN");
  expect(await signedIn(stronger.cookie)).toBe(true);
  expect(await accessTokenStatus(bed.database.db, jti)).toBe("active");
});


// ---------------------------------------------------------------------------------------------
// listSessions, revokeSession

test("listSessions shows unexpired sessions of the users in scope, marking the caller's own", async () => {
  const insider = await userIn(bed.personas.domainA.id);
  const again = await signIn(bed.auth, insider.email);
  const outsider = await userIn(bed.personas.domainB.id);

  const mine = await bed.personas.domainAdminA.caller.sessions.list({ userId: insider.userId });
  expect(mine.items.map((item) => item.id).sort()).toEqual([await sessionIdOf(insider.cookie), await sessionIdOf(again.cookie)].sort());
  expect(mine.items[0]).toMatchObject({ userId: insider.userId, userEmail: insider.email, current: false, device: expect.any(String) });
  expect((await bed.personas.domainAdminA.caller.sessions.list({ userId: outsider.userId })).items).toEqual([]);
  expect((await bed.personas.auditor.caller.sessions.list({ userId: outsider.userId })).items).toHaveLength(1);

  const own = await bed.personas.admin.caller.sessions.list({ userId: bed.personas.admin.userId });
  const currentId = await sessionIdOf(bed.personas.admin.cookie);
  expect(own.items.filter((item) => item.current).map((item) => item.id)).toEqual([currentId]);
});

test("listSessions leaves out expired sessions", async () => {
  const holder = await userIn(null);
  const stale = await signIn(bed.auth, holder.email);
  await bed.database.db.update(session).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(session.id, await sessionIdOf(stale.cookie)));
  const listed = await bed.personas.owner.caller.sessions.list({ userId: holder.userId });
  expect(listed.items.map((item) => item.id)).toEqual([await sessionIdOf(holder.cookie)]);
});

test("revokeSession signs that browser out at once and leaves the user's other sessions", async () => {
  const holder = await userIn(bed.personas.domainA.id);
  const other = await signIn(bed.auth, holder.email);
  const sessionId = await sessionIdOf(holder.cookie);

  const { value, events } = await eventsDuring(() => bed.personas.domainAdminA.caller.sessions.revoke({ sessionId }));
  expect(value).toEqual({ sessionId });
  expect(await signedIn(holder.cookie)).toBe(false);
  expect(await bed.auth.api.getSession({ headers: new Headers({ cookie: holder.cookie }) })).toBeNull();
  expect(await signedIn(other.cookie)).toBe(true);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action: "session.revoked", targetId: holder.userId, details: { sessionId, email: holder.email } });

  expect(await outcome(bed.personas.domainAdminA.caller.sessions.revoke({ sessionId }))).toBe("NOT_FOUND");
});

test("revokeSession of a session outside the caller's domains looks like an unknown one", async () => {
  const outsider = await userIn(bed.personas.domainB.id);
  const foreign = await rejection(bed.personas.domainAdminA.caller.sessions.revoke({ sessionId: await sessionIdOf(outsider.cookie) }));
  const missing = await rejection(bed.personas.domainAdminA.caller.sessions.revoke({ sessionId: randomUUID() }));
  expect([foreign.code, foreign.message]).toEqual(["NOT_FOUND", "Session not found."]);
  expect([missing.code, missing.message]).toEqual([foreign.code, foreign.message]);
  expect(await signedIn(outsider.cookie)).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// can flags: what the list tells the console agrees with what the mutations then do

test("sessions.list marks the sessions of an account beyond the caller's reach as not revocable, as sessions.revoke refuses", async () => {
  const stronger = await userIn(bed.personas.domainA.id, "stronger");
  await grantRole(bed.database.db, stronger.userId, ADMIN_ROLE_ID, null);
  const plain = await userIn(bed.personas.domainA.id, "plain");

  const strongerPage = await bed.personas.domainAdminA.caller.sessions.list({ userId: stronger.userId });
  const plainPage = await bed.personas.domainAdminA.caller.sessions.list({ userId: plain.userId });
  expect(strongerPage.items.map((item) => item.can)).toEqual([{ revoke: false }]);
  expect(plainPage.items.map((item) => item.can)).toEqual([{ revoke: true }]);
  expect([strongerPage.can, plainPage.can]).toEqual([{ revokeAllForUser: false }, { revokeAllForUser: true }]);

  expect(await outcome(bed.personas.domainAdminA.caller.sessions.revoke({ sessionId: strongerPage.items[0]!.id }))).toBe("FORBIDDEN");
  expect(await outcome(bed.personas.domainAdminA.caller.sessions.revokeAllForUser({ userId: stronger.userId }))).toBe("FORBIDDEN");
  expect(await outcome(bed.personas.domainAdminA.caller.sessions.revoke({ sessionId: plainPage.items[0]!.id }))).toBe("ok");
});

test("sessions.list offers revokeAllForUser only with a user filter, and only to whom the mutation allows", async () => {
  const holder = await userIn(bed.personas.domainA.id);
  expect((await bed.personas.owner.caller.sessions.list({})).can).toEqual({ revokeAllForUser: false });
  for (const name of ["owner", "admin", "domainAdminA", "auditor"] as const) {
    const { can } = await bed.personas[name].caller.sessions.list({ userId: holder.userId });
    expect(can, name).toEqual({ revokeAllForUser: name !== "auditor" });
  }
  expect(await outcome(bed.personas.auditor.caller.sessions.revokeAllForUser({ userId: holder.userId }))).toBe("FORBIDDEN");
});
