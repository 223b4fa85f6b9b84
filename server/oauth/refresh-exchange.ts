import { createHash } from "node:crypto";
import { symmetricDecrypt, symmetricEncrypt } from "better-auth/crypto";
import { and, eq, isNull, lte } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { refreshExchange } from "@/db/schema";

/**
 * Single-flight refresh-token exchanges, shared by every instance through the `refresh_exchange`
 * table: the first request presenting a refresh token claims its row and lets the provider rotate;
 * its answer is kept, encrypted, until the reuse window ends, and every other request presenting the
 * same token meanwhile gets that same answer instead of being taken for a thief.
 */

/** The token endpoint's JSON answer, as the provider built it. */
export type TokenResponseBody = Record<string, unknown> & { access_token: string; expires_at?: unknown };

/** What a kept answer is sealed with: who asked, how, and what they got. */
interface SealedAnswer {
  request: string;
  body: TokenResponseBody;
}

/**
 * What makes two refresh requests the same request: the client, its credential (hashed), and the
 * scope and resource it asked for. Only the same request gets a kept answer.
 */
export function exchangeRequestFingerprint(request: {
  clientId: string;
  credential: string | undefined;
  scope: string | undefined;
  resource: readonly string[] | string | undefined;
}): string {
  const credential = request.credential === undefined ? null : createHash("sha256").update(request.credential).digest("base64url");
  const resource = request.resource === undefined ? null : [request.resource].flat().sort();
  return createHash("sha256")
    .update(JSON.stringify([request.clientId, credential, request.scope ?? null, resource]))
    .digest("base64url");
}

/** Claims the exchange of a presented token; false when another request holds it already. */
export async function claimExchange(db: Executor, claim: { tokenHash: string; clientId: string; until: Date }): Promise<boolean> {
  const claimed = await db
    .insert(refreshExchange)
    .values({ presentedTokenHash: claim.tokenHash, clientId: claim.clientId, response: null, expiresAt: claim.until })
    .onConflictDoNothing()
    .returning({ tokenHash: refreshExchange.presentedTokenHash });
  return claimed.length === 1;
}

/**
 * The exchange of a presented token that is still running or still within its window. An expired one
 * (a window that ended, or a claim whose request died) is removed first, so it is never answered.
 */
export async function liveExchange(db: Executor, tokenHash: string, now = new Date()) {
  const [row] = await db
    .select({ clientId: refreshExchange.clientId, response: refreshExchange.response, expiresAt: refreshExchange.expiresAt })
    .from(refreshExchange)
    .where(eq(refreshExchange.presentedTokenHash, tokenHash))
    .limit(1);
  if (!row || row.expiresAt > now) return row;
  // Only this row: a request that took the claim over since has a later expiry, and keeps it.
  await db
    .delete(refreshExchange)
    .where(and(eq(refreshExchange.presentedTokenHash, tokenHash), eq(refreshExchange.expiresAt, row.expiresAt)));
  return undefined;
}

/** Keeps the claiming request's answer, sealed with the auth secret, until the window ends. */
export async function completeExchange(
  db: Executor,
  exchange: { tokenHash: string; secret: string; request: string; body: TokenResponseBody; until: Date },
): Promise<void> {
  const sealed: SealedAnswer = { request: exchange.request, body: exchange.body };
  const response = await symmetricEncrypt({ key: exchange.secret, data: JSON.stringify(sealed) });
  await db
    .update(refreshExchange)
    .set({ response, expiresAt: exchange.until })
    .where(and(eq(refreshExchange.presentedTokenHash, exchange.tokenHash), isNull(refreshExchange.response)));
}

/** A claiming request that got no tokens lets the next request with the token try for itself. */
export async function abandonExchange(db: Executor, tokenHash: string): Promise<void> {
  await db.delete(refreshExchange).where(and(eq(refreshExchange.presentedTokenHash, tokenHash), isNull(refreshExchange.response)));
}

/**
 * The kept answer for a request, with `expires_in` counted from now; null when it was kept for
 * another request (another client credential, scope or resource) or cannot be read.
 */
export async function keptAnswer(sealed: string, secret: string, request: string, now = Date.now()): Promise<TokenResponseBody | null> {
  let answer: SealedAnswer;
  try {
    answer = JSON.parse(await symmetricDecrypt({ key: secret, data: sealed })) as SealedAnswer;
  } catch {
    return null;
  }
  if (answer.request !== request || typeof answer.body?.access_token !== "string") return null;
  const body = { ...answer.body };
  if (typeof body.expires_at === "number") body.expires_in = Math.max(0, body.expires_at - Math.floor(now / 1000));
  return body;
}

/** Rows past their window answer nobody; they only cost space. */
export async function sweepExpiredExchanges(db: Executor, now = new Date()): Promise<void> {
  await db.delete(refreshExchange).where(lte(refreshExchange.expiresAt, now));
}
