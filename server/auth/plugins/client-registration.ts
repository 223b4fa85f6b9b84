import { APIError, createAuthEndpoint, isAPIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { oauthClient } from "@/db/schema";
import { requestOrigin, type AuditActor } from "@/server/audit/record";
import { claimAttempt, releaseAttempt, type AttemptPolicy } from "@/server/auth/attempt-limit";
import type { RegistrationLimits, RegistrationPolicy } from "@/server/oauth/config";
import { namedClientId } from "@/server/oauth/token-requests";
import {
  checkClientMetadata,
  createRegistration,
  deleteRegistration,
  presentedSecretMatches,
  registrationForToken,
  registrationResponse,
  storedAuthMethod,
  storedScopes,
  updateRegistration,
  type StoredRegistration,
} from "@/server/oauth/registration";
import { authPlugin, hook, type HookContext } from "./define";

/** Every registration, from any address, counts against one installation-wide window. */
export const REGISTRATION_CAP_KEY = "client-registration:installation";
const HOUR_MS = 60 * 60 * 1000;

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

function oauthActor(headers: Headers | undefined, clientId: string | null): AuditActor {
  return { userId: null, via: "oauth", clientId, ...(headers ? requestOrigin(headers) : { ip: null, userAgent: null }) };
}

function metadataRefusal(problem: { error: string; description: string }): APIError {
  return new APIError("BAD_REQUEST", { error: problem.error, error_description: problem.description }, NO_STORE);
}

function bearerToken(headers: Headers | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers?.get("authorization") ?? "");
  return match ? match[1]! : null;
}

/**
 * Gatehouse's RFC 7591 registration endpoint and RFC 7592 client configuration endpoint.
 *
 * The provider's own `/oauth2/register` handler never runs: its validation refuses redirect URIs
 * that real MCP clients register (Cursor's `cursor://anysphere.cursor-mcp/oauth/callback`), it would
 * store every client with the single `authorization_code` grant, and it has no RFC 7592. A before
 * hook answers the request instead, with the redirect rule the console uses
 * (`server/oauth/redirect-uris.ts`). The per-address rate limit on the path still applies first
 * (`server/auth/rate-limits.ts`); the installation-wide cap is counted here, atomically, once a
 * registration is valid.
 *
 * `GET`, `PUT` and `DELETE /oauth2/register/:clientId` act on a dynamically registered client with
 * the registration access token it was given, and nothing else: no session, no other token.
 */
export function clientRegistration({
  db,
  issuer,
  mcpResource,
  policy,
  limits,
  unusedClientDays,
}: {
  db: Database;
  issuer: string;
  mcpResource: string;
  policy: RegistrationPolicy;
  limits: RegistrationLimits;
  /** How long a self-registered client may go without a grant (the sweep is `server/oauth/unused-clients.ts`). */
  unusedClientDays: number;
}) {
  const cap: AttemptPolicy = { maxAttempts: limits.totalPerHour, windowMs: HOUR_MS, lockoutMs: 0 };

  async function register(ctx: HookContext) {
    if (policy === "off") {
      throw new APIError("FORBIDDEN", {
        error: "access_denied",
        error_description: "This server does not let clients register themselves. Ask an administrator to create the client in the Gatehouse console.",
      });
    }
    const checked = checkClientMetadata(ctx.body, policy);
    if (!checked.ok) throw metadataRefusal(checked.problem);
    const claim = await claimAttempt(db, REGISTRATION_CAP_KEY, cap);
    if (!claim.allowed) {
      const minutes = Math.max(1, Math.ceil(claim.retryAfterMs / 60_000));
      throw new APIError(
        "TOO_MANY_REQUESTS",
        {
          error: "temporarily_unavailable",
          error_description: `This server has taken as many client registrations as it allows in an hour. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
        },
        { ...NO_STORE, "Retry-After": String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000))) },
      );
    }
    try {
      const registered = await db.transaction((tx) =>
        createRegistration(tx, checked.metadata, { issuer, mcpResource, actor: oauthActor(ctx.headers, null) }),
      );
      return Response.json(registered, { status: 201, headers: NO_STORE });
    } catch (error) {
      await releaseAttempt(db, REGISTRATION_CAP_KEY);
      throw error;
    }
  }

  async function authorizedRegistration(ctx: { params?: Record<string, string>; headers?: Headers }): Promise<StoredRegistration> {
    const token = bearerToken(ctx.headers);
    if (!token) {
      throw new APIError(
        "UNAUTHORIZED",
        { error: "invalid_request", error_description: "Send the registration access token from the registration response as a Bearer token." },
        { ...NO_STORE, "WWW-Authenticate": "Bearer" },
      );
    }
    // RFC 7592 §2: a client that is not there, or a token that is not this client's, gets the same 401.
    const row = await registrationForToken(db, ctx.params?.clientId ?? "", token);
    if (!row) {
      throw new APIError(
        "UNAUTHORIZED",
        { error: "invalid_token", error_description: "The registration access token is not valid for this client." },
        { ...NO_STORE, "WWW-Authenticate": 'Bearer error="invalid_token"' },
      );
    }
    return row;
  }

  /** Claude and other hosted clients register again when the token endpoint says their client is gone (RFC 6749 §5.2). */
  async function unknownClientAtTokenEndpoint(ctx: HookContext) {
    if (!isAPIError(ctx.context.returned)) return;
    const clientId = namedClientId(ctx.headers, (ctx.body ?? {}) as Record<string, unknown>);
    if (!clientId) return;
    const [client] = await db.select({ clientId: oauthClient.clientId }).from(oauthClient).where(eq(oauthClient.clientId, clientId)).limit(1);
    if (client) return;
    // A Response, not a thrown APIError: after hooks cannot change the status of an endpoint's error.
    return Response.json(
      { error: "invalid_client", error_description: "This client is not registered here (any more). Register it again." },
      { status: 401, headers: { ...NO_STORE, "WWW-Authenticate": 'Basic realm="oauth2"' } },
    );
  }

  return authPlugin({
    id: "client-registration",
    options: { policy, limits, unusedClientDays },
    before: [hook("/oauth2/register", register)],
    after: [hook("/oauth2/token", unknownClientAtTokenEndpoint)],
    endpoints: {
      readClientRegistration: createAuthEndpoint("/oauth2/register/:clientId", { method: "GET", disableBody: true, metadata: { noStore: true } }, async (ctx) => {
        const row = await authorizedRegistration(ctx);
        return Response.json(registrationResponse(row, issuer), { headers: NO_STORE });
      }),
      updateClientRegistration: createAuthEndpoint("/oauth2/register/:clientId", { method: "PUT", metadata: { noStore: true } }, async (ctx) => {
        const row = await authorizedRegistration(ctx);
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        if (body.client_id !== row.clientId) {
          throw metadataRefusal({ error: "invalid_client_metadata", description: "Include client_id, the id this registration was issued; it cannot change." });
        }
        if (!presentedSecretMatches(row, body)) {
          throw metadataRefusal({ error: "invalid_client_metadata", description: "client_secret must be the secret this client was issued; a client cannot choose its own." });
        }
        const checked = checkClientMetadata(body, policy, { authMethod: storedAuthMethod(row), scopes: storedScopes(row) });
        if (!checked.ok) throw metadataRefusal(checked.problem);
        const updated = await db.transaction((tx) =>
          updateRegistration(tx, row, checked.metadata, { issuer, actor: oauthActor(ctx.headers, row.clientId) }),
        );
        return Response.json(updated, { headers: NO_STORE });
      }),
      deleteClientRegistration: createAuthEndpoint("/oauth2/register/:clientId", { method: "DELETE", disableBody: true, metadata: { noStore: true } }, async (ctx) => {
        const row = await authorizedRegistration(ctx);
        await db.transaction((tx) => deleteRegistration(tx, row, oauthActor(ctx.headers, row.clientId)));
        return new Response(null, { status: 204, headers: NO_STORE });
      }),
    },
  });
}

/** The registration settings an auth instance was built with, for the console's summary. */
export function clientRegistrationSettings(auth: { options: { plugins?: readonly unknown[] } }) {
  const plugin = auth.options.plugins?.find(
    (candidate): candidate is ReturnType<typeof clientRegistration> => (candidate as { id?: unknown }).id === "client-registration",
  );
  if (!plugin) throw new Error("The client-registration plugin is not installed.");
  return plugin.options;
}
