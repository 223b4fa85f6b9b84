import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import type { Executor } from "@/db/client";
import { oauthClient } from "@/db/schema";
import { requestOrigin, type AuditActor } from "@/server/audit/record";
import type { AccessTokenRejection, AccessTokenVerifier } from "./access-token";
import type { IssuedClaims } from "./issued-tokens";

/** What the plugins around the provider's endpoints read from a request: its form or query, as sent. */
export type FormBody = Record<string, unknown>;

export const formBody = (ctx: { body?: unknown }): FormBody =>
  ctx.body && typeof ctx.body === "object" ? (ctx.body as FormBody) : {};

export const queryOf = (ctx: { query?: unknown }): FormBody =>
  ctx.query && typeof ctx.query === "object" ? (ctx.query as FormBody) : {};

export const field = (body: FormBody, name: string): string | undefined =>
  typeof body[name] === "string" ? (body[name] as string) : undefined;

/**
 * The parameters of an `/oauth2/authorize` request as a before-hook sees them: a top-level POST
 * carries them in its form; a request the provider resumes (after sign-in or consent) in its query.
 */
export function authorizeParameters(ctx: { method?: string; body?: unknown; query?: unknown }): FormBody {
  return authorizeInForm(ctx) ? formBody(ctx) : queryOf(ctx);
}

/** Whether an `/oauth2/authorize` request carries its parameters in its form (a top-level POST) rather than its query. */
export function authorizeInForm(ctx: { method?: string }): boolean {
  const resumed = (ctx as { authorizeSettings?: unknown }).authorizeSettings !== undefined;
  return !resumed && ctx.method === "POST";
}

/** Claims read without verification; nothing for a value that does not decode. */
export function unverifiedClaims(token: string): Partial<IssuedClaims> {
  try {
    return decodeJwt(token) as Partial<IssuedClaims>;
  } catch {
    return {};
  }
}

/** The client a token-endpoint style request names, from HTTP Basic or the form; not yet authenticated. */
export function namedClientId(headers: Headers | undefined, body: FormBody): string | undefined {
  const authorization = headers?.get("authorization");
  if (authorization?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    if (separator > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, separator));
      } catch {
        return undefined;
      }
    }
  }
  return field(body, "client_id");
}

export function oauthActor(ctx: { headers?: Headers }, clientId: string | null, userId: string | null): AuditActor {
  return { userId, via: "oauth", clientId, ...(ctx.headers ? requestOrigin(ctx.headers) : { ip: null, userAgent: null }) };
}

export async function clientExists(db: Executor, clientId: string | undefined): Promise<boolean> {
  if (!clientId) return false;
  const [row] = await db
    .select({ clientId: oauthClient.clientId })
    .from(oauthClient)
    .where(eq(oauthClient.clientId, clientId))
    .limit(1);
  return Boolean(row);
}

/**
 * What a JWT-shaped token that Gatehouse did not sign (no key, `alg: none`, a broken header or
 * signature, another issuer) is handed to the provider as: the provider's JWT code throws on such a
 * token (a 500), but looks up any other string as an opaque token and finds nothing. It then answers
 * after authenticating the client, as for any unknown token.
 */
const UNKNOWN_TOKEN = "gatehouse-unverifiable-token";
const NOT_OURS: ReadonlySet<AccessTokenRejection> = new Set(["malformed", "bad_signature", "wrong_issuer"]);

/**
 * The before-hook answer for revocation and introspection: a JWT Gatehouse never signed is swapped
 * for a string the provider looks up as an unknown opaque token, so it answers as for any unknown
 * token and never 500.
 */
export async function foreignJwtAsUnknown(verifier: AccessTokenVerifier, ctx: { body?: unknown }) {
  const body = formBody(ctx);
  const token = field(body, "token");
  if (!token || token.split(".").length !== 3) return undefined;
  // Only the signature and claims decide whether the token is ours; the ledger lookup `verify` adds
  // would change nothing here, and the introspection hook after the provider makes it once.
  const check = await verifier.verifyClaims(token);
  if (check.ok || !NOT_OURS.has(check.reason)) return undefined;
  return { context: { body: { ...body, token: UNKNOWN_TOKEN } } };
}
