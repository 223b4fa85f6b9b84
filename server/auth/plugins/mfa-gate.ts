import { APIError, getSessionFromCtx, isAPIError } from "better-auth/api";
import { eq, sql } from "drizzle-orm";
import { enrolmentPath } from "@/server/shared/return-path";
import type { Executor } from "@/db/client";
import { oauthAccessToken, oauthRefreshToken } from "@/db/schema";
import { storedSecretHash } from "@/server/oauth/config";
import { enrolmentMissingCondition, enrolmentRequiredMessage, mfaEnrolmentMissing, mfaRequirement } from "@/server/users/mfa";
import { UNGATED_AUTH_PATHS } from "../route-access";
import { authPlugin, hook, type HookContext } from "./define";

/** The `code` of every refusal the gate gives, in better-auth's error shape and over tRPC alike. */
export const MFA_ENROLMENT_REQUIRED_CODE = "MFA_ENROLMENT_REQUIRED";

const GRANT_REFUSED =
  "The user must set up a second factor in Gatehouse before this grant can be used. Sign in to Gatehouse, set one up, then try again.";
const TOKEN_REFUSED = "The user must set up a second factor in Gatehouse before this token can be used";

const stringField = (source: unknown, name: string): string | undefined => {
  const value = source && typeof source === "object" ? (source as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : undefined;
};

const bearerToken = (headers: Headers | undefined): string => {
  const authorization = headers?.get("authorization") ?? "";
  return /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, "").trim() : "";
};

/** JWT access tokens are judged by the ledger lookup (`accessTokenStatus`), which includes this gate. */
const isJwt = (token: string) => token.split(".").length === 3;

/** The 403 every gated endpoint answers; OAuth endpoints get the RFC 6749 fields as well. */
async function enrolmentRequired(db: Executor, userId: string, path: string): Promise<APIError> {
  const message = enrolmentRequiredMessage(await mfaRequirement(db, userId));
  const oauth = path.startsWith("/oauth2/") ? { error: "access_denied", error_description: message } : {};
  return new APIError("FORBIDDEN", { code: MFA_ENROLMENT_REQUIRED_CODE, message, ...oauth });
}

/**
 * The authorization request, to come back to once enrolled. better-auth resumes `/oauth2/authorize`
 * internally after sign-in with the request in `ctx.query`, so this rebuilds it from there.
 */
function authorizationRequestPath(ctx: HookContext): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries((ctx.query ?? {}) as Record<string, unknown>)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined && item !== null) params.append(name, String(item));
  }
  return `${ctx.context.options.basePath ?? "/api/auth"}/oauth2/authorize?${params}`;
}

/**
 * An authorization by a user who must enrol issues no code: the browser goes to enrolment instead,
 * and comes back to this request afterwards. Like the provider's own redirects, a request that wants
 * JSON (the sign-in form's fetch, which better-auth resumes into this) gets `{ redirect, url }` for
 * the page to follow; a navigation gets a 302. The client hears nothing until the user is back, as
 * with a user who takes their time to sign in.
 */
function sendToEnrolment(ctx: HookContext) {
  const url = enrolmentPath(authorizationRequestPath(ctx));
  if (ctx.headers?.get("accept")?.includes("application/json")) return { redirect: true, url };
  throw ctx.redirect(url);
}

/** The user an authorization code was issued to, from the provider's stored code (by its hash). */
async function codeUserId(ctx: HookContext, code: string): Promise<string | null> {
  const stored = await ctx.context.internalAdapter.findVerificationValue(storedSecretHash(code));
  if (!stored) return null;
  try {
    const value = JSON.parse(stored.value) as { type?: unknown; userId?: unknown };
    return value.type === "authorization_code" && typeof value.userId === "string" ? value.userId : null;
  } catch {
    return null;
  }
}

/**
 * Whether the user a stored refresh token or opaque access token was issued to must enrol, looked up
 * by the token's hash in its own table (JWT access tokens are judged by the ledger).
 */
async function tokenHolderBlocked(db: Executor, table: typeof oauthRefreshToken | typeof oauthAccessToken, presented: string): Promise<boolean> {
  const [row] = await db
    .select({ blocked: sql<number>`${enrolmentMissingCondition(table.userId)}` })
    .from(table)
    .where(eq(table.token, storedSecretHash(presented)))
    .limit(1);
  return row?.blocked === 1;
}

/**
 * "A user who must enrol a second factor can reach nothing but enrolment and sign-out, on any route",
 * for better-auth's endpoints: every path that `route-access.ts` does not list as public, enrolment or
 * token-bound is refused for such a user's session (a new endpoint included); authorization requests
 * go to enrolment; the token endpoint issues and rotates nothing for them; userinfo and introspection
 * treat their tokens as invalid. The rule is re-evaluated on every request, so it reaches sessions
 * and tokens that existed before the policy started to apply, and lifts as soon as they enrol.
 */
export function mfaGate(db: Executor) {
  return authPlugin({
    id: "gatehouse-mfa-gate",
    before: [
      hook((ctx) => typeof ctx.path === "string" && !UNGATED_AUTH_PATHS.has(ctx.path), async (ctx) => {
        const session = await getSessionFromCtx(ctx);
        if (!session || !(await mfaEnrolmentMissing(db, session.user.id))) return;
        if (ctx.path === "/oauth2/authorize") return sendToEnrolment(ctx);
        throw await enrolmentRequired(db, session.user.id, ctx.path);
      }),
      hook("/oauth2/token", async (ctx) => {
        const grantType = stringField(ctx.body, "grant_type");
        let blocked = false;
        if (grantType === "authorization_code") {
          const code = stringField(ctx.body, "code");
          const userId = code ? await codeUserId(ctx, code) : null;
          blocked = userId !== null && (await mfaEnrolmentMissing(db, userId));
        } else if (grantType === "refresh_token") {
          const token = stringField(ctx.body, "refresh_token");
          blocked = token ? await tokenHolderBlocked(db, oauthRefreshToken, token) : false;
        }
        // The code stays unused and the refresh token unrotated: once the user enrols, either still works.
        if (blocked) throw new APIError("BAD_REQUEST", { error: "invalid_grant", error_description: GRANT_REFUSED });
      }),
      hook("/oauth2/userinfo", async (ctx) => {
        const token = bearerToken(ctx.headers);
        if (!token || isJwt(token) || !(await tokenHolderBlocked(db, oauthAccessToken, token))) return;
        throw new APIError(
          "UNAUTHORIZED",
          { error: "invalid_token", error_description: TOKEN_REFUSED },
          { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${TOKEN_REFUSED}"` },
        );
      }),
    ],
    after: [
      hook("/oauth2/introspect", async (ctx) => {
        const returned = ctx.context.returned as { active?: unknown; sub?: unknown } | undefined;
        const token = stringField(ctx.body, "token") ?? "";
        if (!returned || isAPIError(returned) || returned.active !== true || isJwt(token)) return;
        if (typeof returned.sub === "string" && (await mfaEnrolmentMissing(db, returned.sub))) return { active: false };
      }),
    ],
  });
}
