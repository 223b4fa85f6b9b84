import { randomBytes } from "node:crypto";
import type { TRPCError } from "@trpc/server";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  AUDITOR_ROLE_ID,
  OWNER_ROLE_ID,
  auditEvent,
  issuedAccessToken,
  oauthClient,
  oauthRefreshToken,
  refreshExchange,
  roleAssignment,
} from "@/db/schema";
import { DEFAULT_OAUTH_SETTINGS, storedSecretHash } from "@/server/oauth/config";
import { createDatabase } from "@/db/client";
import { createSignedInOwner, createTestAuth, signUp, TEST_PUBLIC_URL } from "@/server/testing/auth";
import { auditRows, createPersona, hasRole, openPersonaTestBed } from "@/server/testing/authz";
import { authorizeInBrowser, pkceChallenge } from "@/server/testing/mcp";
import { registerPublicClient, startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { callerAs } from "@/server/testing/trpc";

const REDIRECT = "http://127.0.0.1:45321/callback";
const PARALLEL_REFRESHES = 50;

/** A test server's OAuth endpoints as a racing CLI uses them: registration, authorization, token requests. */
function refreshingClient(server: OAuthTestServer, person: () => { userId: string; cookie: string }) {
  const registerClient = () => registerPublicClient(server, "Racing CLI", REDIRECT);

  async function tokenRequest(form: Record<string, string>, baseUrl = server.baseUrl) {
    const response = await fetch(`${baseUrl}/api/auth/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, string> };
  }

  /** Authorization code + PKCE S256 for the MCP resource, with offline_access so a refresh token comes back. */
  async function issueTokens(clientId: string) {
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL(`${server.baseUrl}/api/auth/oauth2/authorize`);
    const query = {
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: "openid offline_access mcp:read",
      state: "race",
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: "S256",
      resource: `${server.baseUrl}/mcp`,
    };
    for (const [name, value] of Object.entries(query)) authorize.searchParams.set(name, value);
    const { location } = await authorizeInBrowser(authorize, { cookie: person().cookie });
    const code = location.searchParams.get("code");
    expect(code, location.href).toBeTruthy();
    const issued = await tokenRequest({
      grant_type: "authorization_code",
      code: code!,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: clientId,
      resource: `${server.baseUrl}/mcp`,
    });
    expect(issued.status).toBe(200);
    return { accessToken: issued.body.access_token!, refreshToken: issued.body.refresh_token! };
  }

  const refresh = (clientId: string, refreshToken: string, extra: Record<string, string> = {}, baseUrl = server.baseUrl) =>
    tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId, ...extra }, baseUrl);

  const userInfo = (accessToken: string) =>
    fetch(`${server.baseUrl}/api/auth/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });

  /** The grant's refresh tokens that still work, and the audit rows that say it was taken for stolen. */
  async function grantState(clientId: string) {
    const live = await server.database.db
      .select({ id: oauthRefreshToken.id })
      .from(oauthRefreshToken)
      .where(and(eq(oauthRefreshToken.clientId, clientId), eq(oauthRefreshToken.userId, person().userId), isNull(oauthRefreshToken.revoked)));
    const reuse = await server.database.db
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.action, "oauth.refresh_token_reused"), eq(auditEvent.clientId, clientId)));
    return { liveRefreshTokens: live.length, reuseEvents: reuse.length };
  }

  return { registerClient, tokenRequest, issueTokens, refresh, userInfo, grantState };
}

describe("refresh token rotation under concurrency, within the reuse window", () => {
  let server: OAuthTestServer;
  let member: { userId: string; cookie: string };
  let racing: ReturnType<typeof refreshingClient>;

  beforeAll(async () => {
    server = await startOAuthTestServer();
    await createSignedInOwner(server.database.db, server.auth);
    member = await signUp(server.auth);
    racing = refreshingClient(server, () => member);
  });

  afterAll(() => server?.close());

  test("50 parallel refreshes with one refresh token all get 200 and the same tokens, issued once; the grant survives and the new refresh token works", async () => {
    const { registerClient, issueTokens, refresh, userInfo, grantState } = racing;
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    const issuedBefore = await server.database.db.$count(issuedAccessToken, eq(issuedAccessToken.clientId, clientId));

    const answers = await Promise.all(Array.from({ length: PARALLEL_REFRESHES }, () => refresh(clientId, first.refreshToken)));

    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: PARALLEL_REFRESHES }, () => 200));
    for (const answer of answers) expect(answer.headers.get("cache-control")).toBe("no-store");
    const rotated = answers[0]!.body;
    expect(rotated.refresh_token).not.toBe(first.refreshToken);
    expect(new Set(answers.map((answer) => answer.body.access_token))).toEqual(new Set([rotated.access_token]));
    expect(new Set(answers.map((answer) => answer.body.refresh_token))).toEqual(new Set([rotated.refresh_token]));
    // One real issuance: one ledger row and one audit row, however many requests were answered.
    expect(await server.database.db.$count(issuedAccessToken, eq(issuedAccessToken.clientId, clientId))).toBe(issuedBefore + 1);
    const issued = await server.database.db
      .select()
      .from(auditEvent)
      .where(and(eq(auditEvent.action, "oauth.token_issued"), eq(auditEvent.clientId, clientId)));
    expect(issued.map((event) => event.details.grantType)).toEqual(["authorization_code", "refresh_token"]);

    expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 1, reuseEvents: 0 });
    expect((await userInfo(rotated.access_token!)).status).toBe(200);
    const next = await refresh(clientId, rotated.refresh_token!);
    expect(next.status).toBe(200);
    expect((await userInfo(next.body.access_token!)).status).toBe(200);
  });

  test("a rotated refresh token presented after the window has ended revokes the grant as theft, and the audit log says so", async () => {
    const { registerClient, issueTokens, refresh, userInfo, grantState } = racing;
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    const rotated = await refresh(clientId, first.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await refresh(clientId, first.refreshToken)).body.access_token).toBe(rotated.body.access_token);

    // The window ends: the kept answer expires.
    await server.database.db
      .update(refreshExchange)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshExchange.presentedTokenHash, storedSecretHash(first.refreshToken)));
    expect(await refresh(clientId, first.refreshToken)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    expect(await refresh(clientId, rotated.body.refresh_token!)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    for (const accessToken of [first.accessToken, rotated.body.access_token!]) {
      const answer = await userInfo(accessToken);
      expect(answer.status).toBe(401);
      expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
    expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 0, reuseEvents: 1 });
    expect(await server.database.db.$count(refreshExchange, eq(refreshExchange.clientId, clientId))).toBe(0);
  });

  test("a first exchange that fails leaves no claim behind: the parallel requests that waited for it exchange the token themselves", async () => {
    const { registerClient, issueTokens, refresh, grantState } = racing;
    const clientId = await registerClient();
    const first = await issueTokens(clientId);

    // A refresh may not widen the grant (RFC 6749 §6): invalid_scope, never a token.
    const widening = refresh(clientId, first.refreshToken, { scope: "openid offline_access mcp:read mcp:admin" });
    const others = Array.from({ length: 10 }, () => refresh(clientId, first.refreshToken));
    const [refused, ...answers] = await Promise.all([widening, ...others]);

    expect(refused).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(1);
    expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 1, reuseEvents: 0 });
  });

  test("within the window, a different request with the rotated token (another scope) gets invalid_grant and the grant stays", async () => {
    const { registerClient, issueTokens, refresh, userInfo, grantState } = racing;
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    const rotated = await refresh(clientId, first.refreshToken);
    expect(rotated.status).toBe(200);

    expect(await refresh(clientId, first.refreshToken, { scope: "openid" })).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 1, reuseEvents: 0 });
    expect((await userInfo(rotated.body.access_token!)).status).toBe(200);
  });

  test("a request waits a bounded time for an exchange another instance is running (503 with Retry-After), and takes over a claim that outlived its request", async () => {
    const { registerClient, issueTokens, refresh, grantState } = racing;
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    const tokenHash = storedSecretHash(first.refreshToken);
    // Another instance claimed the token and has not answered yet.
    await server.database.db.insert(refreshExchange).values({ presentedTokenHash: tokenHash, clientId, response: null, expiresAt: new Date(Date.now() + 60_000) });

    const startedAt = Date.now();
    const waited = await refresh(clientId, first.refreshToken);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(5_000);
    expect(waited).toMatchObject({ status: 503, body: { error: "temporarily_unavailable" } });
    expect(waited.headers.get("retry-after")).toBe("1");
    expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 1, reuseEvents: 0 });

    // That instance died: once its claim expires, the next request exchanges the token itself.
    await server.database.db.update(refreshExchange).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(refreshExchange.presentedTokenHash, tokenHash));
    expect((await refresh(clientId, first.refreshToken)).status).toBe(200);
    expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 1, reuseEvents: 0 });
  }, 15_000);

  test("two instances sharing the database answer parallel refreshes of one token with the same tokens", async () => {
    const { registerClient, issueTokens, grantState } = racing;
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    // A second instance: its own connection and auth instance on the same database file and public URL.
    const otherConnection = createDatabase(server.database.url);
    const otherInstance = await createTestAuth(otherConnection.db, { publicUrl: server.baseUrl, oauth: DEFAULT_OAUTH_SETTINGS });
    const viaOther = async () => {
      const response = await otherInstance.handler(
        new Request(`${server.baseUrl}/api/auth/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: first.refreshToken, client_id: clientId }),
        }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    };
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? racing.refresh(clientId, first.refreshToken) : viaOther())),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
      expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(1);
      expect(await grantState(clientId)).toEqual({ liveRefreshTokens: 1, reuseEvents: 0 });
    } finally {
      otherConnection.client.close();
    }
  });

  test("a client that refreshes one at a time keeps its grant", async () => {
    const { registerClient, issueTokens, refresh, userInfo } = racing;
    const clientId = await registerClient();
    let tokens = await issueTokens(clientId);
    for (let round = 0; round < 3; round += 1) {
      const answer = await refresh(clientId, tokens.refreshToken);
      expect(answer.status).toBe(200);
      tokens = { accessToken: answer.body.access_token!, refreshToken: answer.body.refresh_token! };
    }
    expect((await userInfo(tokens.accessToken)).status).toBe(200);
  });
});

test("kept answers past their window are swept by the next exchange, while a running one is left alone", async () => {
  const server = await startOAuthTestServer();
  try {
    await createSignedInOwner(server.database.db, server.auth);
    const person = await signUp(server.auth);
    const { registerClient, issueTokens, refresh } = refreshingClient(server, () => person);
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    await server.database.db.insert(refreshExchange).values([
      { presentedTokenHash: "ended-window", clientId, response: "sealed", expiresAt: new Date(Date.now() - 1000) },
      { presentedTokenHash: "running", clientId, response: null, expiresAt: new Date(Date.now() + 60_000) },
    ]);

    expect((await refresh(clientId, first.refreshToken)).status).toBe(200);

    const left = await server.database.db.select({ tokenHash: refreshExchange.presentedTokenHash }).from(refreshExchange);
    expect(left.map((row) => row.tokenHash).sort()).toEqual(["running", storedSecretHash(first.refreshToken)].sort());
  } finally {
    await server.close();
  }
});

describe("refresh token rotation under concurrency, with the reuse window off", () => {
  let server: OAuthTestServer;
  let member: { userId: string; cookie: string };

  beforeAll(async () => {
    server = await startOAuthTestServer({ oauth: { refreshReuseWindowSeconds: 0 } });
    await createSignedInOwner(server.database.db, server.auth);
    member = await signUp(server.auth);
  });

  afterAll(() => server?.close());

  test("50 parallel refreshes with one refresh token: exactly one succeeds, the rest get invalid_grant, and the family is revoked as reuse", async () => {
    const { registerClient, issueTokens, refresh, userInfo, grantState } = refreshingClient(server, () => member);
    const clientId = await registerClient();
    const first = await issueTokens(clientId);
    expect((await userInfo(first.accessToken)).status).toBe(200);

    const answers = await Promise.all(Array.from({ length: PARALLEL_REFRESHES }, () => refresh(clientId, first.refreshToken)));

    const succeeded = answers.filter((answer) => answer.status === 200);
    const failed = answers.filter((answer) => answer.status !== 200);
    expect(succeeded).toHaveLength(1);
    expect(failed).toHaveLength(PARALLEL_REFRESHES - 1);
    for (const answer of failed) expect(answer).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    // Reuse means two parties hold the grant: nothing from it works any more, not even the winner's tokens.
    const winner = succeeded[0]!.body;
    expect(await refresh(clientId, winner.refresh_token!)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    for (const accessToken of [first.accessToken, winner.access_token!]) {
      const answer = await userInfo(accessToken);
      expect(answer.status).toBe(401);
      expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
    const state = await grantState(clientId);
    expect(state.liveRefreshTokens).toBe(0);
    expect(state.reuseEvents).toBeGreaterThan(0);
    expect(await server.database.db.$count(refreshExchange)).toBe(0);
  });
});

describe("role assignments and client secrets under concurrency", () => {
  let bed: Awaited<ReturnType<typeof openPersonaTestBed>>;

  beforeAll(async () => {
    bed = await openPersonaTestBed();
  });

  afterAll(() => bed?.database.destroy());

  const deps = () => ({ db: bed.database.db, auth: bed.auth });

  async function globalOwners(): Promise<string[]> {
    const rows = await bed.database.db
      .select({ userId: roleAssignment.userId })
      .from(roleAssignment)
      .where(and(eq(roleAssignment.roleId, OWNER_ROLE_ID), isNull(roleAssignment.domainId)));
    return rows.map((row) => row.userId);
  }

  function codeOf(outcome: PromiseSettledResult<unknown>): string | undefined {
    return outcome.status === "rejected" ? (outcome.reason as TRPCError).code : undefined;
  }

  test("two owners on two connections removing each other's owner role at the same moment: one succeeds, the other is refused as the last owner", async () => {
    const first = await createPersona(deps(), OWNER_ROLE_ID, null, "owner-a");
    const second = await createPersona(deps(), OWNER_ROLE_ID, null, "owner-b");
    // The installation's own owner steps aside first, so these two are the only owners.
    await first.caller.roles.unassign({ userId: bed.personas.owner.userId, roleId: OWNER_ROLE_ID, domainId: null });
    expect((await globalOwners()).sort()).toEqual([first.userId, second.userId].sort());

    // The second acts through its own connection and write queue, as a second instance on the same file would.
    const otherInstance = createDatabase(bed.database.url);
    const secondElsewhere = await callerAs({ db: otherInstance.db, auth: await createTestAuth(otherInstance.db) }, second.cookie);
    const outcomes = await Promise.allSettled([
      first.caller.roles.unassign({ userId: second.userId, roleId: OWNER_ROLE_ID, domainId: null }),
      secondElsewhere.roles.unassign({ userId: first.userId, roleId: OWNER_ROLE_ID, domainId: null }),
    ]);
    otherInstance.client.close();

    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.map(codeOf).filter(Boolean)).toEqual(["FORBIDDEN"]);
    expect(await globalOwners()).toHaveLength(1);
    const removed = await auditRows(bed.database.db, { action: "role.unassigned" });
    expect(removed.filter((row) => row.targetId === first.userId || row.targetId === second.userId)).toHaveLength(1);
  });

  test("four owners all removing one another in parallel leave exactly one owner, with an audit row per removal", async () => {
    const owners = await Promise.all([1, 2, 3, 4].map((n) => createPersona(deps(), OWNER_ROLE_ID, null, `many-owner-${n}`)));
    const others = (await globalOwners()).filter((userId) => !owners.some((owner) => owner.userId === userId));
    for (const userId of others) await owners[0]!.caller.roles.unassign({ userId, roleId: OWNER_ROLE_ID, domainId: null });
    const auditBefore = (await auditRows(bed.database.db, { action: "role.unassigned" })).length;

    const outcomes = await Promise.allSettled(
      owners.flatMap((actor) =>
        owners
          .filter((target) => target !== actor)
          .map((target) => actor.caller.roles.unassign({ userId: target.userId, roleId: OWNER_ROLE_ID, domainId: null })),
      ),
    );

    const remaining = await globalOwners();
    expect(remaining).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(owners.length - 1);
    for (const code of outcomes.map(codeOf).filter(Boolean)) expect(["FORBIDDEN", "NOT_FOUND"]).toContain(code);
    expect((await auditRows(bed.database.db, { action: "role.unassigned" })).length - auditBefore).toBe(owners.length - 1);
  });

  test("parallel grants of one role to one user write one assignment; the rest are conflicts", async () => {
    const target = await createPersona(deps(), null, null, "grantee");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => bed.personas.admin.caller.roles.assign({ userId: target.userId, roleId: AUDITOR_ROLE_ID, domainId: null })),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const code of outcomes.map(codeOf).filter(Boolean)) expect(code).toBe("CONFLICT");
    expect(await hasRole(bed.database.db, target.userId, AUDITOR_ROLE_ID, null)).toBe(true);
    const rows = await bed.database.db
      .select({ id: roleAssignment.id })
      .from(roleAssignment)
      .where(and(eq(roleAssignment.userId, target.userId), eq(roleAssignment.roleId, AUDITOR_ROLE_ID)));
    expect(rows).toHaveLength(1);
    expect(await auditRows(bed.database.db, { action: "role.assigned", targetId: target.userId })).toHaveLength(1);
  });

  test("parallel secret rotations leave exactly one valid secret: the stored one, and only it passes the token endpoint", async () => {
    const { caller } = bed.personas.admin;
    const created = await caller.clients.create({
      name: "Rotated service",
      type: "confidential",
      redirectUris: ["https://service.example.com/callback"],
      scopes: ["mcp:read"],
      domainId: null,
    });
    const clientId = created.client.clientId;

    const rotations = await Promise.all(Array.from({ length: 10 }, () => caller.clients.rotateSecret({ clientId })));
    const secrets = [created.clientSecret!, ...rotations.map((rotation) => rotation.clientSecret)];
    expect(new Set(secrets).size).toBe(secrets.length);

    const [stored] = await bed.database.db.select({ secret: oauthClient.clientSecret }).from(oauthClient).where(eq(oauthClient.clientId, clientId));
    const valid = secrets.filter((secret) => storedSecretHash(secret) === stored!.secret);
    expect(valid).toHaveLength(1);

    const accepted: string[] = [];
    for (const secret of secrets) {
      const response = await bed.auth.handler(
        new Request(`${TEST_PUBLIC_URL}/api/auth/oauth2/token`, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
          },
          body: new URLSearchParams({ grant_type: "client_credentials", scope: "mcp:read", resource: `${TEST_PUBLIC_URL}/mcp` }),
        }),
      );
      if (response.status === 200) accepted.push(secret);
      else expect(response.status).toBe(401);
    }
    expect(accepted).toEqual(valid);
    expect(await auditRows(bed.database.db, { action: "client.secret_rotated", targetId: clientId })).toHaveLength(rotations.length);
  });
});
