import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { accessTokenStatus } from "@/server/oauth/issued-tokens";
import { TEST_PASSWORD, signIn } from "@/server/testing/auth";
import {
  type Expected,
  expectMatrixCoversRouter,
  type Persona,
  MATRIX_PERSONAS as PERSONAS,
  type PersonaName,
  personaTestBed,
  READABLE_ANYWHERE,
} from "@/server/testing/authz";
import { grantTestKit, type Prepared } from "@/server/testing/grants";
import { outcome, unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import { accountRouter } from "./router";

const bed = personaTestBed();

const { seedClient, userIn, issueAccessToken, seedGrant, refreshRevoked, consentCount, sessionIdOf, signedIn, eventsDuring, checkCell } = grantTestKit(() => bed);

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix: account (personal scope, no role needed)

type AccountProcedure = keyof typeof accountRouter._def.procedures;

const PERSONAL: Record<PersonaName, Expected> = { ...READABLE_ANYWHERE, member: "ok" };

function personaOf(name: PersonaName): Persona | null {
  if (name === "anonymous") return null;
  if (name === "domainAdminOnA" || name === "domainAdminOnB") return bed.personas.domainAdminA;
  return bed.personas[name];
}

const ACCOUNT_MATRIX: Record<AccountProcedure, (persona: Persona | null) => Promise<Prepared>> = {
  sessions: async () => ({ call: (caller) => caller.account.sessions() }),
  twoFactor: async () => ({ call: (caller) => caller.account.twoFactor() }),
  passkeys: async () => ({ call: (caller) => caller.account.passkeys() }),
  mfaRequirement: async () => ({ call: (caller) => caller.account.mfaRequirement() }),
  reauthenticate: async (persona) => ({
    call: (caller) => caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD }),
    event: persona ? { action: "auth.step_up", targetType: "user", targetId: persona.userId } : undefined,
  }),
  revokeSession: async (persona) => {
    if (!persona) return { call: (caller) => caller.account.revokeSession({ sessionId: randomUUID() }) };
    const { cookie } = await signIn(bed.auth, persona.email);
    const sessionId = await sessionIdOf(cookie);
    return {
      call: (caller) => caller.account.revokeSession({ sessionId }),
      event: { action: "session.revoked", targetType: "user", targetId: persona.userId },
    };
  },
  revokeOtherSessions: async (persona) => {
    if (!persona) return { call: (caller) => caller.account.revokeOtherSessions() };
    await signIn(bed.auth, persona.email);
    return {
      call: (caller) => caller.account.revokeOtherSessions(),
      event: { action: "session.revoked_others", targetType: "user", targetId: persona.userId },
    };
  },
  connectedApps: async () => ({ call: (caller) => caller.account.connectedApps() }),
  revokeApp: async (persona) => {
    const clientId = await seedClient(bed.personas.domainA.id);
    if (!persona) return { call: (caller) => caller.account.revokeApp({ clientId }) };
    await seedGrant(persona.userId, clientId);
    return {
      call: (caller) => caller.account.revokeApp({ clientId }),
      event: { action: "grant.revoked", targetType: "user", targetId: persona.userId },
    };
  },
};

const ACCOUNT_CASES = (Object.keys(ACCOUNT_MATRIX) as AccountProcedure[]).flatMap((procedure) =>
  PERSONAS.map((persona) => [procedure, persona, PERSONAL[persona]] as const),
);

test.each(ACCOUNT_CASES)("account.%s as %s is %s", async (procedure, persona, expected) => {
  await checkCell(persona, await ACCOUNT_MATRIX[procedure](personaOf(persona)), expected);
});

test("every account procedure is in the matrix and is personal", () => {
  expectMatrixCoversRouter(accountRouter, ACCOUNT_MATRIX, () => ({ kind: "personal" }));
});

// ---------------------------------------------------------------------------------------------
// account

test("account.sessions lists only the caller's own sessions, with the current one marked", async () => {
  const me = await userIn(null, "me");
  const laptop = await signIn(bed.auth, me.email);
  await userIn(null, "someone-else");
  const caller = await callerAs(bed.deps(), laptop.cookie);

  const sessions = await caller.account.sessions();
  expect(sessions.map((item) => item.id).sort()).toEqual([await sessionIdOf(me.cookie), await sessionIdOf(laptop.cookie)].sort());
  expect(sessions.every((item) => item.userId === me.userId)).toBe(true);
  expect(sessions.filter((item) => item.current).map((item) => item.id)).toEqual([await sessionIdOf(laptop.cookie)]);
});

test("account.revokeSession ends one of the caller's sessions, and someone else's is not found", async () => {
  const me = await userIn(null, "me");
  const phone = await signIn(bed.auth, me.email);
  const stranger = await userIn(null, "stranger");
  const caller = await callerAs(bed.deps(), me.cookie);

  const strangerSessionId = await sessionIdOf(stranger.cookie);
  const refused = await eventsDuring(() => caller.account.revokeSession({ sessionId: strangerSessionId }));
  expect(refused.error).toMatchObject({ code: "NOT_FOUND", message: "Session not found." });
  expect(refused.events).toEqual([]);
  expect(await signedIn(stranger.cookie)).toBe(true);

  const phoneId = await sessionIdOf(phone.cookie);
  const { value, events } = await eventsDuring(() => caller.account.revokeSession({ sessionId: phoneId }));
  expect(value).toEqual({ sessionId: phoneId });
  expect(await signedIn(phone.cookie)).toBe(false);
  expect(await signedIn(me.cookie)).toBe(true);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "session.revoked",
    actorUserId: me.userId,
    targetId: me.userId,
    details: { sessionId: phoneId, own: true },
  });
});

test("account.revokeOtherSessions signs out everywhere else and keeps the current session", async () => {
  const me = await userIn(null, "me");
  const tablet = await signIn(bed.auth, me.email);
  const desk = await signIn(bed.auth, me.email);
  const bystander = await userIn(null, "bystander");
  const caller = await callerAs(bed.deps(), desk.cookie);

  const { value, events } = await eventsDuring(() => caller.account.revokeOtherSessions());
  expect(value).toEqual({ sessions: 2 });
  expect(await signedIn(desk.cookie)).toBe(true);
  expect(await signedIn(me.cookie)).toBe(false);
  expect(await signedIn(tablet.cookie)).toBe(false);
  expect(await signedIn(bystander.cookie)).toBe(true);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action: "session.revoked_others", targetId: me.userId, details: { sessions: 2 } });

  const again = await eventsDuring(() => caller.account.revokeOtherSessions());
  expect(again.value).toEqual({ sessions: 0 });
  expect(again.events).toEqual([]);
});

test("account.connectedApps lists the caller's own grants only", async () => {
  const me = await userIn(null, "me");
  const other = await userIn(null, "other");
  const mine = await seedClient(null, { name: unique("Mine"), logoUri: "https://app.example/logo.png" });
  const theirs = await seedClient(null);
  await seedGrant(me.userId, mine);
  await issueAccessToken(mine, me.userId);
  await seedGrant(other.userId, theirs);
  const caller = await callerAs(bed.deps(), me.cookie);

  expect(await caller.account.connectedApps()).toEqual([
    {
      clientId: mine,
      clientName: expect.stringMatching(/^Mine-/),
      logoUri: "https://app.example/logo.png",
      scopes: ["openid", "offline_access"],
      createdAt: expect.any(Date),
      lastUsedAt: expect.any(Date),
      liveAccessTokens: 2,
      can: { revoke: true },
    },
  ]);
});

test("account.revokeApp ends the caller's grant to the app, and an app not connected is not found", async () => {
  const me = await userIn(null, "me");
  const other = await userIn(null, "other");
  const app = await seedClient(null);
  const othersApp = await seedClient(null);
  const mine = await seedGrant(me.userId, app);
  const theirs = await seedGrant(other.userId, app);
  const notMine = await seedGrant(other.userId, othersApp);
  const caller = await callerAs(bed.deps(), me.cookie);

  for (const clientId of [othersApp, randomUUID()]) {
    const { error, events } = await eventsDuring(() => caller.account.revokeApp({ clientId }));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "That application is not connected to your account." });
    expect(events).toEqual([]);
  }
  expect(await accessTokenStatus(bed.database.db, notMine.jti)).toBe("active");

  const { value, events } = await eventsDuring(() => caller.account.revokeApp({ clientId: app }));
  expect(value).toEqual({ accessTokens: 1, refreshTokens: 1, consents: 1 });
  expect(await accessTokenStatus(bed.database.db, mine.jti)).toBe("revoked");
  expect(await refreshRevoked(mine.refreshId)).toBeInstanceOf(Date);
  expect(await consentCount(me.userId, app)).toBe(0);
  expect(await caller.account.connectedApps()).toEqual([]);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    action: "grant.revoked",
    actorUserId: me.userId,
    targetId: me.userId,
    details: { clientId: app, accessTokensRevoked: 1, refreshTokensRevoked: 1, consentsRevoked: 1, own: true },
  });

  // The same app stays connected for everyone else.
  expect(await accessTokenStatus(bed.database.db, theirs.jti)).toBe("active");
  expect(await consentCount(other.userId, app)).toBe(1);
  expect(await outcome(caller.account.revokeApp({ clientId: app }))).toBe("NOT_FOUND");
});
