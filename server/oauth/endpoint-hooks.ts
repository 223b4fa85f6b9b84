import { APIError, isAPIError } from "better-auth/api";
import { and, eq, gte, isNull } from "drizzle-orm";
import { decodeJwt } from "jose";
import type { Database, Executor } from "@/db/client";
import { auditEvent, clientRegistration, oauthClient, oauthRefreshToken } from "@/db/schema";
import { recordEvent, requestOrigin, type AuditActor } from "@/server/audit/record";
import { REJECTION_DESCRIPTIONS, type AccessTokenRejection, type AccessTokenVerifier } from "./access-token";
import { storedSecretHash } from "./config";
import {
  purgeExpiredAccessTokens,
  recordIssuedAccessToken,
  revokeIssuedAccessTokens,
  type IssuedClaims,
} from "./issued-tokens";

/** The parts of a better-auth hook context these hooks read. */
export interface OAuthHookContext {
  path: string;
  body?: unknown;
  query?: unknown;
  headers?: Headers;
  request?: Request;
  context: { returned?: unknown; session?: { user: { id: string } } | null };
}

interface HookDependencies {
  db: Database;
  verifier: AccessTokenVerifier;
}

type FormBody = Record<string, unknown>;

const PURGE_INTERVAL_MS = 60_000;

/**
 * What a JWT-shaped token that Gatehouse did not sign (no key, `alg: none`, a broken header or
 * signature, another issuer) is handed to the provider as: the provider's JWT code throws on such a
 * token (a 500), but looks up any other string as an opaque token and finds nothing. It then answers
 * after authenticating the client, as for any unknown token.
 */
const UNKNOWN_TOKEN = "gatehouse-unverifiable-token";
const NOT_OURS: ReadonlySet<AccessTokenRejection> = new Set(["malformed", "bad_signature", "wrong_issuer"]);

const formBody = (ctx: OAuthHookContext): FormBody =>
  ctx.body && typeof ctx.body === "object" ? (ctx.body as FormBody) : {};
const field = (body: FormBody, name: string): string | undefined =>
  typeof body[name] === "string" ? (body[name] as string) : undefined;

/** Claims read without verification; nothing for a value that does not decode. */
function unverifiedClaims(token: string): Partial<IssuedClaims> {
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

export function oauthActor(ctx: Pick<OAuthHookContext, "headers">, clientId: string | null, userId: string | null): AuditActor {
  return { userId, via: "oauth", clientId, ...(ctx.headers ? requestOrigin(ctx.headers) : { ip: null, userAgent: null }) };
}

async function clientExists(db: Executor, clientId: string | undefined): Promise<boolean> {
  if (!clientId) return false;
  const [row] = await db
    .select({ clientId: oauthClient.clientId })
    .from(oauthClient)
    .where(eq(oauthClient.clientId, clientId))
    .limit(1);
  return Boolean(row);
}

export async function refreshTokenRow(db: Executor, presented: string | undefined) {
  if (!presented) return undefined;
  const [row] = await db
    .select()
    .from(oauthRefreshToken)
    .where(eq(oauthRefreshToken.token, storedSecretHash(presented)))
    .limit(1);
  return row;
}

/**
 * A rotated refresh token presented again means two parties hold the grant: end it for both. The
 * provider deletes the family only when the reuse is seen before rotation starts; a request that
 * lost a rotation race fails later, so the refresh tokens are marked revoked here as well, and the
 * audit row is the mark a concurrent winner looks for (see `reusedSinceRotation`).
 */
export async function endReusedGrant(tx: Executor, row: { userId: string; clientId: string }, actor: AuditActor, now = new Date()): Promise<void> {
  const revoked = await revokeIssuedAccessTokens(tx, { userId: row.userId, clientId: row.clientId }, "refresh_token_reuse", now);
  await tx
    .update(oauthRefreshToken)
    .set({ revoked: now })
    .where(and(eq(oauthRefreshToken.userId, row.userId), eq(oauthRefreshToken.clientId, row.clientId), isNull(oauthRefreshToken.revoked)));
  await recordEvent(tx, actor, {
    action: "oauth.refresh_token_reused",
    targetType: "user",
    targetId: row.userId,
    details: { clientId: row.clientId, accessTokensRevoked: revoked },
  });
}

/** Whether a reuse of the grant was recorded after `row` was rotated, by a request racing this one. */
async function reusedSinceRotation(tx: Executor, row: { userId: string; clientId: string; rotatedAt: Date | null }): Promise<boolean> {
  if (!row.rotatedAt) return false;
  const [event] = await tx
    .select({ id: auditEvent.id })
    .from(auditEvent)
    .where(
      and(
        eq(auditEvent.action, "oauth.refresh_token_reused"),
        eq(auditEvent.targetId, row.userId),
        eq(auditEvent.clientId, row.clientId),
        gte(auditEvent.at, row.rotatedAt),
      ),
    )
    .limit(1);
  return Boolean(event);
}

function invalidBearer(description: string): APIError {
  return new APIError(
    "UNAUTHORIZED",
    { error: "invalid_token", error_description: description },
    { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${description}"` },
  );
}

/**
 * What Gatehouse adds around the oauth-provider plugin's endpoints: the issued-token ledger that
 * makes JWT revocation immediate, replay and reuse responses, and audit rows for what clients do.
 * Registration is `plugins/client-registration.ts`.
 */
export function createOAuthEndpointHooks({ db, verifier }: HookDependencies) {
  let lastPurgeAt = 0;

  /** Revocation and introspection of a JWT Gatehouse never signed answer as for any unknown token, never 500. */
  async function beforeTokenLookup(ctx: OAuthHookContext) {
    const body = formBody(ctx);
    const token = field(body, "token");
    if (!token || token.split(".").length !== 3) return undefined;
    const check = await verifier.verify(token);
    if (check.ok || !NOT_OURS.has(check.reason)) return undefined;
    return { context: { body: { ...body, token: UNKNOWN_TOKEN } } };
  }

  function beforeUserInfo(ctx: OAuthHookContext) {
    const query = ctx.query && typeof ctx.query === "object" ? (ctx.query as FormBody) : {};
    if ("access_token" in query || "access_token" in formBody(ctx)) {
      throw new APIError("BAD_REQUEST", {
        error: "invalid_request",
        error_description: "Send the access token in the Authorization header only",
      });
    }
    const authorization = ctx.headers?.get("authorization") ?? "";
    const token = /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, "").trim() : "";
    if (token.split(".").length !== 3) return undefined;
    return verifier.verify(token).then((check) => {
      if (!check.ok) throw invalidBearer(REJECTION_DESCRIPTIONS[check.reason]);
    });
  }

  async function afterTokenIssued(ctx: OAuthHookContext, response: { access_token?: unknown; scope?: unknown }) {
    if (typeof response.access_token !== "string" || response.access_token.split(".").length !== 3) return;
    const claims = decodeJwt(response.access_token) as unknown as IssuedClaims;
    const body = formBody(ctx);
    const grantType = field(body, "grant_type") ?? "unknown";
    const userId = grantType === "client_credentials" ? null : claims.sub;
    let authorizationCodeId: string | null = null;
    if (grantType === "authorization_code") authorizationCodeId = storedSecretHash(field(body, "code") ?? "");
    await db.transaction(async (tx) => {
      const refreshing = grantType === "refresh_token";
      const rotated = refreshing ? await refreshTokenRow(tx, field(body, "refresh_token")) : undefined;
      if (rotated) authorizationCodeId = rotated.authorizationCodeId ?? null;
      await recordIssuedAccessToken(tx, { claims, userId, grantType, authorizationCodeId });
      // A racing request that presented the same refresh token may already have ended the grant (the
      // provider deletes the family, so the presented row is gone) before this token was in the
      // ledger for it to revoke: then this one is born revoked, with whatever the race rebuilt.
      if (refreshing && (!rotated || (await reusedSinceRotation(tx, rotated)))) {
        await endReusedGrant(tx, { userId: claims.sub, clientId: claims.client_id }, oauthActor(ctx, claims.client_id, null));
      }
      await recordEvent(tx, oauthActor(ctx, claims.client_id, userId), {
        action: "oauth.token_issued",
        targetType: userId ? "user" : "client",
        targetId: userId ?? claims.client_id,
        details: { grantType, scope: claims.scope, audience: claims.aud, jti: claims.jti },
      });
    });
    // Expired rows only cost space; sweeping them once a minute keeps the token endpoint to its own writes.
    if (Date.now() - lastPurgeAt > PURGE_INTERVAL_MS) {
      lastPurgeAt = Date.now();
      await db.transaction((tx) => purgeExpiredAccessTokens(tx));
    }
  }

  async function afterTokenFailed(ctx: OAuthHookContext, error: APIError) {
    const body = formBody(ctx);
    const clientId = namedClientId(ctx.headers, body);
    const grantType = field(body, "grant_type");
    const code = field(body, "code");
    const oauthError = String(error.body?.error ?? error.status);
    await db.transaction(async (tx) => {
      if (grantType === "authorization_code" && code && oauthError === "invalid_grant") {
        // The plugin forgets a code once used; tokens already issued from it mean this is a replay.
        const revoked = await revokeIssuedAccessTokens(tx, { authorizationCodeId: storedSecretHash(code) }, "code_replay");
        if (revoked > 0) {
          await recordEvent(tx, oauthActor(ctx, clientId ?? null, null), {
            action: "oauth.code_replayed",
            targetType: "client",
            targetId: clientId ?? null,
            details: { accessTokensRevoked: revoked },
          });
        }
      }
      if (grantType === "refresh_token" && oauthError === "invalid_grant") {
        // Losing a rotation race to a request with the same token is reuse too, found only now.
        const row = await refreshTokenRow(tx, field(body, "refresh_token"));
        if (row?.rotatedAt && row.clientId === clientId && !(await reusedSinceRotation(tx, row))) {
          await endReusedGrant(tx, row, oauthActor(ctx, row.clientId, null));
        }
      }
      if (!(await clientExists(tx, clientId))) return;
      await recordEvent(tx, oauthActor(ctx, clientId!, null), {
        action: "oauth.token_failed",
        targetType: "client",
        targetId: clientId!,
        details: { grantType: grantType ?? null, error: oauthError, description: String(error.body?.error_description ?? "") },
      });
    });
  }

  /** RFC 7009 asks for 200 when a valid token is revoked; the plugin cannot revoke a JWT, the ledger can. */
  async function afterRevoke(ctx: OAuthHookContext) {
    const returned = ctx.context.returned;
    const body = formBody(ctx);
    const token = field(body, "token") ?? "";
    const clientId = namedClientId(ctx.headers, body) ?? null;
    if (isAPIError(returned) && returned.body?.error === "unsupported_token_type") {
      const claims = unverifiedClaims(token);
      if (claims.client_id !== clientId || typeof claims.jti !== "string") {
        throw new APIError("BAD_REQUEST", {
          error: "unauthorized_client",
          error_description: "The token was not issued to this client",
        });
      }
      const jti = claims.jti;
      await db.transaction(async (tx) => {
        await revokeIssuedAccessTokens(tx, { jti }, "revoked_by_client");
        await recordEvent(tx, oauthActor(ctx, clientId, claims.sub ?? null), {
          action: "oauth.token_revoked",
          targetType: "client",
          targetId: clientId,
          details: { tokenType: "access_token", jti },
        });
      });
      return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
    }
    // RFC 7009 §2.2: a token that is unknown, malformed or already revoked is answered 200 as well,
    // once the client has authenticated (a failed client authentication is invalid_client and stays one).
    if (isAPIError(returned) && returned.statusCode === 400 && returned.body?.error === "invalid_request" && token) {
      return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
    }
    if (isAPIError(returned)) return undefined;
    // A refresh token revoked through RFC 7009 takes the access tokens of its grant with it (RFC 7009 §2.1).
    const row = await refreshTokenRow(db, token);
    if (!row?.revoked || row.clientId !== clientId) return undefined;
    await db.transaction(async (tx) => {
      const selector = row.authorizationCodeId
        ? { authorizationCodeId: row.authorizationCodeId }
        : { userId: row.userId, clientId: row.clientId };
      const revoked = await revokeIssuedAccessTokens(tx, selector, "revoked_by_client");
      await recordEvent(tx, oauthActor(ctx, clientId, row.userId), {
        action: "oauth.token_revoked",
        targetType: "client",
        targetId: clientId,
        details: { tokenType: "refresh_token", accessTokensRevoked: revoked },
      });
    });
    return undefined;
  }

  /**
   * A client learns about its own tokens only; a resource server an administrator marked may learn
   * about any. The provider lets every client linked to the MCP resource introspect every token for
   * it, and every client is linked to it.
   */
  async function mayIntrospect(introspectingClientId: string | undefined, tokenClientId: unknown): Promise<boolean> {
    if (!introspectingClientId) return false;
    if (introspectingClientId === tokenClientId) return true;
    const [registration] = await db
      .select({ resourceServer: clientRegistration.resourceServer })
      .from(clientRegistration)
      .where(eq(clientRegistration.clientId, introspectingClientId))
      .limit(1);
    return registration?.resourceServer === true;
  }

  async function afterIntrospect(ctx: OAuthHookContext) {
    const returned = ctx.context.returned as { active?: boolean; client_id?: unknown } | undefined;
    if (!returned || isAPIError(returned) || returned.active !== true) return undefined;
    if (!(await mayIntrospect(namedClientId(ctx.headers, formBody(ctx)), returned.client_id))) return { active: false };
    const token = field(formBody(ctx), "token") ?? "";
    if (token.split(".").length !== 3) return undefined;
    const check = await verifier.verify(token);
    return check.ok ? undefined : { active: false };
  }

  /** Authorization errors go back to the client (or to the error page) as a redirect; record those about a known client. */
  async function afterAuthorize(ctx: OAuthHookContext) {
    const returned = ctx.context.returned as { url?: unknown; headers?: Headers } | undefined;
    const target = typeof returned?.url === "string" ? returned.url : returned?.headers?.get?.("location");
    if (!target) return;
    const error = new URL(target, "http://placeholder.invalid").searchParams.get("error");
    const query = ctx.query && typeof ctx.query === "object" ? (ctx.query as FormBody) : {};
    const clientId = field(query, "client_id");
    if (!error || !(await clientExists(db, clientId))) return;
    await recordEvent(db, oauthActor(ctx, clientId!, ctx.context.session?.user.id ?? null), {
      action: "oauth.authorize_failed",
      targetType: "client",
      targetId: clientId!,
      details: { error, redirectUri: field(query, "redirect_uri") ?? null, scope: field(query, "scope") ?? null },
    });
  }

  async function afterConsent(ctx: OAuthHookContext) {
    const returned = ctx.context.returned;
    const userId = ctx.context.session?.user.id ?? null;
    if (isAPIError(returned) || !userId) return;
    const body = formBody(ctx);
    const query = new URLSearchParams(field(body, "oauth_query") ?? "");
    const clientId = query.get("client_id");
    await recordEvent(db, oauthActor(ctx, clientId, userId), {
      action: body.accept === true ? "oauth.consent_granted" : "oauth.consent_denied",
      targetType: "client",
      targetId: clientId,
      details: { scope: field(body, "scope") ?? query.get("scope") },
    });
  }

  return {
    async before(ctx: OAuthHookContext) {
      if (ctx.path === "/oauth2/userinfo") return beforeUserInfo(ctx);
      if (ctx.path === "/oauth2/revoke" || ctx.path === "/oauth2/introspect") return beforeTokenLookup(ctx);
      return undefined;
    },
    async after(ctx: OAuthHookContext) {
      const result = await afterEndpoint(ctx);
      if (result === undefined && isAPIError(ctx.context.returned)) throw asOAuthError(ctx.context.returned);
      return result;
    },
  };

  async function afterEndpoint(ctx: OAuthHookContext) {
      const returned = ctx.context.returned;
      switch (ctx.path) {
        case "/oauth2/token":
          if (isAPIError(returned)) await afterTokenFailed(ctx, returned);
          else if (returned && typeof returned === "object") await afterTokenIssued(ctx, returned as { access_token?: unknown });
          return undefined;
        case "/oauth2/revoke":
          return afterRevoke(ctx);
        case "/oauth2/introspect":
          return afterIntrospect(ctx);
        case "/oauth2/consent":
          await afterConsent(ctx);
          return undefined;
        case "/oauth2/authorize":
          await afterAuthorize(ctx);
          return undefined;
        default:
          return undefined;
      }
  }
}

/**
 * Every error from an OAuth endpoint speaks RFC 6749 §5.2: body validation failures (a JSON body,
 * a wrong content type) come from the framework without an `error` code, and a failed PKCE check
 * is `invalid_grant` (RFC 7636 §4.6), which the provider reports as `invalid_request`.
 */
export function asOAuthError(error: APIError): APIError {
  const body = (error.body ?? {}) as { error?: unknown; error_description?: unknown; message?: unknown };
  if (body.error === "invalid_request" && body.error_description === "code verification failed") {
    return new APIError("BAD_REQUEST", { error: "invalid_grant", error_description: "The code_verifier does not match the code_challenge" }, error.headers);
  }
  if (typeof body.error === "string") return error;
  const description = typeof body.message === "string" ? body.message : "The request is malformed";
  return new APIError(error.status, { error: "invalid_request", error_description: description }, error.headers);
}
