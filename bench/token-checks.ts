/**
 * The per-request cost of accepting an access token: the revocation lookup alone and the whole
 * verification (signature, claims, lookup), timed in-process against a `select 1` round trip on the
 * same database, with a ledger as large as a busy installation's.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { issuedAccessToken } from "@/db/schema";
import { AccessTokenVerifier } from "@/server/oauth/access-token";
import { createClient } from "@/server/clients/commands";
import { authIssuer, mcpResourceUrl } from "@/server/oauth/config";
import { accessTokenStatus } from "@/server/oauth/issued-tokens";
import { percentile } from "./load";

const RUNS = 2000;
const INSERT_BATCH = 500;

export interface TokenCheckResult {
  name: string;
  p50Us: number;
  p95Us: number;
  ratioToBaselineP50: number;
}

async function time(call: () => Promise<unknown>): Promise<{ p50Us: number; p95Us: number }> {
  for (let warmup = 0; warmup < 200; warmup += 1) await call();
  const durations: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    await call();
    durations.push((performance.now() - started) * 1000);
  }
  durations.sort((a, b) => a - b);
  return { p50Us: percentile(durations, 0.5), p95Us: percentile(durations, 0.95) };
}

/** Live-looking ledger rows for one client, so the primary-key lookup runs against a realistic table. */
async function fillLedger(db: Database, clientId: string, rows: number): Promise<string[]> {
  const now = Date.now();
  const jtis: string[] = [];
  for (let start = 0; start < rows; start += INSERT_BATCH) {
    const batch = Array.from({ length: Math.min(INSERT_BATCH, rows - start) }, () => {
      const jti = randomBytes(24).toString("base64url");
      jtis.push(jti);
      return {
        jti,
        clientId,
        userId: null,
        authorizationCodeId: null,
        grantType: "client_credentials",
        scopes: "mcp:read",
        audience: "bench",
        issuedAt: new Date(now),
        expiresAt: new Date(now + 15 * 60 * 1000),
      };
    });
    await db.insert(issuedAccessToken).values(batch);
  }
  return jtis;
}

export async function measureTokenChecks(
  db: Database,
  options: { origin: string; publicUrl: string; ownerId: string; ledgerRows: number },
): Promise<{ results: TokenCheckResult[]; ledgerRows: number }> {
  const mcpResource = mcpResourceUrl(options.publicUrl);
  const { client, clientSecret } = await db.transaction((tx) =>
    createClient(
      tx,
      {
        name: "Bench resource client",
        type: "confidential",
        authMethod: "client_secret_basic",
        redirectUris: ["https://bench.example/cb"],
        scopes: ["mcp:read"],
        domainId: null,
        skipConsent: false,
      },
      { createdBy: options.ownerId, mcpResource },
    ),
  );
  const response = await fetch(`${options.origin}/api/auth/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "mcp:read", resource: mcpResource }),
  });
  const { access_token: token } = (await response.json()) as { access_token?: string };
  if (!token) throw new Error(`the token endpoint answered ${response.status}`);

  const jtis = await fillLedger(db, client.clientId, options.ledgerRows);
  const verifier = new AccessTokenVerifier(db, authIssuer(options.publicUrl));
  const check = await verifier.verify(token, mcpResource);
  if (!check.ok) throw new Error(`the bench token was refused: ${check.reason}`);

  let next = 0;
  const baseline = await time(() => db.get(sql`select 1`));
  const lookup = await time(() => accessTokenStatus(db, jtis[next++ % jtis.length]!));
  const verify = await time(() => verifier.verify(token, mcpResource));
  const ratio = (value: number) => value / baseline.p50Us;
  return {
    ledgerRows: options.ledgerRows,
    results: [
      { name: "baseline select 1", ...baseline, ratioToBaselineP50: 1 },
      { name: "revocation lookup (ledger by jti)", ...lookup, ratioToBaselineP50: ratio(lookup.p50Us) },
      { name: "verify access token (signature + claims + lookup)", ...verify, ratioToBaselineP50: ratio(verify.p50Us) },
    ],
  };
}
