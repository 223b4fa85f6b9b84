import { eq } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { drizzle } from "drizzle-orm/libsql";
import * as schema from "@/db/schema";
import { issuedAccessToken } from "@/db/schema";
import { createSignedInOwner } from "@/server/testing/auth";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { AccessTokenVerifier } from "./access-token";
import { createClient } from "@/server/clients/commands";
import { revokeClientTokens } from "./clients";
import { authIssuer, mcpResourceUrl } from "./config";

let server: OAuthTestServer;
let verifier: AccessTokenVerifier;
let mcpResource: string;
let ownerId: string;

beforeAll(async () => {
  server = await startOAuthTestServer();
  ownerId = (await createSignedInOwner(server.database.db, server.auth)).userId;
  mcpResource = mcpResourceUrl(server.baseUrl);
  verifier = new AccessTokenVerifier(server.database.db, authIssuer(server.baseUrl));
});

afterAll(() => server?.close());

/** A real access token from the token endpoint (client_credentials is the shortest way to one). */
async function issueToken(): Promise<{ token: string; clientId: string }> {
  const { client, clientSecret } = await server.database.db.transaction((tx) =>
    createClient(
      tx,
      {
        name: "Verifier probe",
        type: "confidential",
        authMethod: "client_secret_basic",
        redirectUris: ["https://probe.example/cb"],
        scopes: ["mcp:read"],
        domainId: null,
        skipConsent: false,
      },
      { createdBy: ownerId, mcpResource },
    ),
  );
  const response = await fetch(`${server.baseUrl}/api/auth/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "mcp:read", resource: mcpResource }),
  });
  const body = (await response.json()) as { access_token: string };
  return { token: body.access_token, clientId: client.clientId };
}

describe("AccessTokenVerifier", () => {
  test("accepts a token of this issuer for its resource, with its claims", async () => {
    const { token, clientId } = await issueToken();
    const check = await verifier.verify(token, mcpResource);
    expect(check).toMatchObject({ ok: true, token: { clientId, subject: clientId, scopes: ["mcp:read"] } });
  });

  test("refuses a token for another resource, from another issuer, or past its expiry", async () => {
    const { token } = await issueToken();
    expect(await verifier.verify(token, "http://127.0.0.1:1/other-mcp")).toEqual({ ok: false, reason: "wrong_audience" });
    const foreignIssuer = new AccessTokenVerifier(server.database.db, "https://other-issuer.example/api/auth");
    expect(await foreignIssuer.verify(token, mcpResource)).toEqual({ ok: false, reason: "wrong_issuer" });
    const exp = decodeJwt(token).exp!;
    expect(await verifier.verify(token, mcpResource, new Date((exp + 60) * 1000))).toEqual({ ok: false, reason: "expired" });
  });

  test("refuses a tampered payload, a token signed by someone else's key, and garbage", async () => {
    const { token } = await issueToken();
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: "mcp:admin" })).toString("base64url");
    expect(await verifier.verify(`${header}.${widened}.${signature}`, mcpResource)).toEqual({ ok: false, reason: "bad_signature" });

    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ ...decodeProtectedHeader(token), alg: "EdDSA" })
      .sign(privateKey);
    expect(await verifier.verify(forged, mcpResource)).toEqual({ ok: false, reason: "bad_signature" });

    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${payload}.`;
    expect((await verifier.verify(unsigned, mcpResource)).ok).toBe(false);
    expect(await verifier.verify("not-a-jwt", mcpResource)).toEqual({ ok: false, reason: "malformed" });
  });

  test("refuses a token the ledger does not know or has revoked", async () => {
    const first = await issueToken();
    await server.database.db.delete(issuedAccessToken).where(eq(issuedAccessToken.jti, String(decodeJwt(first.token).jti)));
    expect(await verifier.verify(first.token, mcpResource)).toEqual({ ok: false, reason: "unknown_token" });

    const second = await issueToken();
    // Accepted once, so the signature result is cached; the revocation lookup must still run.
    expect((await verifier.verify(second.token, mcpResource)).ok).toBe(true);
    await server.database.db.transaction((tx) => revokeClientTokens(tx, second.clientId, "test"));
    expect(await verifier.verify(second.token, mcpResource)).toEqual({ ok: false, reason: "revoked" });
  });

  test("once its signature is known, a token costs one query: the ledger row and the MFA enrolment check together", async () => {
    const { token } = await issueToken();
    let queries = 0;
    const counted = drizzle(server.database.client, { schema, casing: "snake_case", logger: { logQuery: () => void (queries += 1) } });
    const countingVerifier = new AccessTokenVerifier(counted, authIssuer(server.baseUrl));
    expect((await countingVerifier.verify(token, mcpResource)).ok).toBe(true);
    queries = 0;
    expect((await countingVerifier.verify(token, mcpResource)).ok).toBe(true);
    expect(queries).toBe(1);
  });

  test("verifyClaims tells our tokens from foreign ones without the ledger: no query once known, a revoked token still ours", async () => {
    const { token, clientId } = await issueToken();
    let queries = 0;
    const counted = drizzle(server.database.client, { schema, casing: "snake_case", logger: { logQuery: () => void (queries += 1) } });
    const countingVerifier = new AccessTokenVerifier(counted, authIssuer(server.baseUrl));
    expect((await countingVerifier.verify(token, mcpResource)).ok).toBe(true);
    queries = 0;
    expect(await countingVerifier.verifyClaims(token, mcpResource)).toMatchObject({ ok: true, token: { clientId } });
    expect(queries).toBe(0);
    await server.database.db.transaction((tx) => revokeClientTokens(tx, clientId, "test"));
    expect((await countingVerifier.verifyClaims(token, mcpResource)).ok).toBe(true);
    expect(await countingVerifier.verify(token, mcpResource)).toEqual({ ok: false, reason: "revoked" });
    expect(await countingVerifier.verifyClaims("not-a-jwt")).toEqual({ ok: false, reason: "malformed" });
  });
});
