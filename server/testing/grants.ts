import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { expect, test } from "vitest";
import type { z } from "zod";
import { MEMBER_ROLE_ID, oauthConsent, oauthRefreshToken } from "@/db/schema";
import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import type { Permission } from "@/server/shared/permissions";
import { createClient } from "@/server/clients/commands";
import { createClientInput } from "@/server/clients/inputs";
import { mcpResourceUrl } from "@/server/oauth/config";
import { recordIssuedAccessToken } from "@/server/oauth/issued-tokens";
import { TEST_PUBLIC_URL, signUp, uniqueEmail } from "@/server/testing/auth";
import {
  createPersonaWith,
  eventsDuring,
  type Expected,
  grantRole,
  type Caller,
  type Persona,
  expectMatrixCoversRouter,
  matrixActorId,
  matrixCaller,
  matrixCases,
  matrixDomain,
  permissionAccess,
  type PersonaName,
  type Personas,
} from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { outcome, unique } from "@/server/testing/outcome";

/**
 * Seeds and probes shared by the grants, sessions and account router tests: clients, grants and
 * sessions written the way the OAuth flow writes them, and a matrix cell checker. `bed` is read
 * at call time, once the test file's beforeAll has opened the test bed.
 */

const MCP_RESOURCE = mcpResourceUrl(TEST_PUBLIC_URL);
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Prepared {
  call: (caller: Caller) => Promise<unknown>;
  /** What an allowed mutation's one audit row must say. */
  event?: { action: string; targetType: string; targetId: string; domainId?: string | null };
}

/** A confidential client written through the persistence layer, as the console would have registered it, owned by `domainId` (installation-wide when null). */
export async function seedClientRow(db: Database, domainId: string | null, overrides: Partial<z.input<typeof createClientInput>> = {}) {
  const input = createClientInput.parse({
    name: unique("Client"),
    type: "confidential",
    redirectUris: ["https://app.example/callback"],
    scopes: ["openid", "offline_access", "mcp:read"],
    domainId,
    ...overrides,
  });
  const { client } = await createClient(db, input, { createdBy: null, mcpResource: MCP_RESOURCE });
  return client;
}

/** A row of the grants, sessions and account matrices: the permission a refusal names, the outcomes, and the call. */
export interface GrantMatrixRow {
  permission: Permission;
  expected: Record<PersonaName, Expected>;
  prepare: (domainId: string) => Promise<Prepared>;
}

export function grantTestKit(bed: () => { database: TestDatabase; auth: Auth; personas: Personas }) {
  /** A client written through the persistence layer, owned by `domainId` (installation-wide when null). */
  async function seedClient(domainId: string | null, overrides: Partial<z.input<typeof createClientInput>> = {}) {
    return (await seedClientRow(bed().database.db, domainId, overrides)).clientId;
  }

  /** A signed-up account (with one browser session) that is a member of `domainId`. */
  async function userIn(domainId: string | null, prefix = "holder") {
    const created = await signUp(bed().auth, uniqueEmail(prefix));
    if (domainId) await grantRole(bed().database.db, created.userId, MEMBER_ROLE_ID, domainId);
    return created;
  }

  /** A ledger row as the token endpoint writes it; a negative lifetime makes an expired one. */
  async function issueAccessToken(clientId: string, userId: string | null, lifetimeSeconds = 900, scope = "openid mcp:read") {
    const jti = randomUUID();
    const iat = Math.floor(Date.now() / 1000);
    await recordIssuedAccessToken(bed().database.db, {
      claims: { jti, client_id: clientId, sub: userId ?? clientId, scope, aud: MCP_RESOURCE, iat, exp: iat + lifetimeSeconds },
      userId,
      grantType: userId ? "authorization_code" : "client_credentials",
      authorizationCodeId: null,
    });
    return jti;
  }

  async function issueRefreshToken(clientId: string, userId: string, options: { revoked?: boolean; scopes?: string[] } = {}) {
    const id = randomUUID();
    await bed().database.db.insert(oauthRefreshToken).values({
      id,
      token: `hashed-${randomUUID()}`,
      clientId,
      userId,
      expiresAt: new Date(Date.now() + 30 * DAY_MS),
      createdAt: new Date(),
      revoked: options.revoked ? new Date() : null,
      scopes: options.scopes ?? ["openid", "offline_access"],
    });
    return id;
  }

  async function consent(clientId: string, userId: string, scopes: string[] = ["openid", "offline_access"]) {
    const now = new Date();
    await bed().database.db.insert(oauthConsent).values({ id: randomUUID(), clientId, userId, scopes, createdAt: now, updatedAt: now });
  }

  /** What a finished authorization-code flow leaves behind: a consent, a refresh token and an access token. */
  async function seedGrant(userId: string, clientId: string) {
    await consent(clientId, userId);
    const refreshId = await issueRefreshToken(clientId, userId);
    const jti = await issueAccessToken(clientId, userId);
    return { refreshId, jti };
  }

  /** A member of `domainId` holding a grant (consent, refresh and access token) to a client of the same domain. */
  async function grantIn(domainId: string) {
    const { userId } = await userIn(domainId);
    const clientId = await seedClient(domainId);
    return { userId, clientId, ...(await seedGrant(userId, clientId)) };
  }

  async function refreshRevoked(id: string) {
    const [row] = await bed().database.db.select({ revoked: oauthRefreshToken.revoked }).from(oauthRefreshToken).where(eq(oauthRefreshToken.id, id));
    return row?.revoked ?? null;
  }

  async function consentCount(userId: string, clientId?: string) {
    const rows = await bed().database.db.select().from(oauthConsent).where(eq(oauthConsent.userId, userId));
    return rows.filter((row) => clientId === undefined || row.clientId === clientId).length;
  }

  async function sessionIdOf(cookie: string): Promise<string> {
    const current = await bed().auth.api.getSession({ headers: new Headers({ cookie }) });
    if (!current) throw new Error("the cookie has no session");
    return current.session.id;
  }

  async function signedIn(cookie: string): Promise<boolean> {
    return (await bed().auth.api.getSession({ headers: new Headers({ cookie }) })) !== null;
  }

  /** An access token as a resource server receives it; only its jti claim matters to revokeToken. */
  function jwtWith(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(randomUUID()));
  }

  async function personaWith(grants: { permissions: Permission[]; domainId: string | null }[]): Promise<Persona> {
    return createPersonaWith({ db: bed().database.db, auth: bed().auth }, grants);
  }

  /** Runs a matrix cell: the outcome, the permission a refusal names, and exactly one audit row for an allowed mutation. */
  async function checkCell(persona: PersonaName, prepared: Prepared, expected: Expected, permission?: Permission) {
    const { error, events } = await eventsDuring(bed().database.db, () => prepared.call(matrixCaller(bed().personas, persona)));
    expect(error === undefined ? "ok" : await outcome(Promise.reject(error))).toBe(expected);
    if (expected === "FORBIDDEN" && permission) expect((error as Error).message).toContain(permission);
    if (prepared.event && expected === "ok") {
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actorUserId: matrixActorId(bed().personas, persona), actorVia: "web", ...prepared.event });
    } else {
      expect(events).toEqual([]);
    }
  }

  /**
   * Registers a router's allow/deny matrix: one test a cell, run on the persona's domain, and one that
   * the matrix names every procedure of `router` with the permission it declares.
   */
  function matrixTests<Procedure extends string>(name: string, router: { _def: { procedures: object } }, matrix: Record<Procedure, GrantMatrixRow>) {
    test.each(matrixCases(matrix))(`${name}.%s as %s is %s`, async (procedure, persona, expected) => {
      const row = matrix[procedure];
      await checkCell(persona, await row.prepare(matrixDomain(bed().personas, persona)), expected, row.permission);
    });

    test(`every ${name} procedure is in the matrix and describes itself`, () => {
      expectMatrixCoversRouter(router, matrix, permissionAccess);
    });
  }

  return { seedClient, userIn, issueAccessToken, issueRefreshToken, consent, seedGrant, grantIn, refreshRevoked, consentCount, sessionIdOf, signedIn, jwtWith, eventsDuring: (call: () => Promise<unknown>) => eventsDuring(bed().database.db, call), personaWith, checkCell, matrixTests };
}
