import type { BetterAuthPlugin } from "better-auth";
import { APIError, isAPIError } from "better-auth/api";
import type { Database } from "@/db/client";
import { endReusedGrant, refreshTokenRow } from "@/server/oauth/refresh-reuse";
import { namedClientId, oauthActor } from "@/server/oauth/token-requests";
import { storedSecretHash } from "@/server/oauth/config";
import {
  abandonExchange,
  claimExchange,
  completeExchange,
  exchangeRequestFingerprint,
  keptAnswer,
  liveExchange,
  sweepExpiredExchanges,
  type TokenResponseBody,
} from "@/server/oauth/refresh-exchange";
import { authPlugin, hook } from "./define";

/** How long a claim holds before another request may take it over: far longer than any exchange takes. */
const CLAIM_SECONDS = 15;
/** How long a request waits for the claiming request's answer, and how often it looks. */
const WAIT_MS = 5_000;
const POLL_MS = 20;
const SWEEP_INTERVAL_MS = 60_000;

type Form = Record<string, unknown>;
const field = (form: Form, name: string) => (typeof form[name] === "string" ? (form[name] as string) : undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The secret a client authenticated with, from HTTP Basic or the form; not checked here. */
function presentedCredential(headers: Headers | undefined, form: Form): string | undefined {
  const authorization = headers?.get("authorization");
  if (authorization?.toLowerCase().startsWith("basic ")) return authorization.slice(6).trim();
  return field(form, "client_secret") ?? field(form, "client_assertion");
}

function isRefresh(ctx: { path?: string; body?: unknown }): boolean {
  const form = ctx.body && typeof ctx.body === "object" ? (ctx.body as Form) : {};
  return ctx.path === "/oauth2/token" && field(form, "grant_type") === "refresh_token";
}

/**
 * Refresh tokens rotate on every use, and clients refresh in parallel (several tabs, several tool
 * calls after an expiry). Within `windowSeconds` of a rotation, a request presenting the rotated token
 * gets the very answer the rotation gave, as Okta and Auth0 do; after it, presenting the token again
 * is theft and ends the grant (`oauth.refresh_token_reused`). With a window of 0 any second use is.
 *
 * Per presented token, one request at a time reaches the provider, on any instance: the first claims
 * a `refresh_exchange` row, the others wait for its answer (up to five seconds). Only the same request
 * (client, client credential, scope, resource) gets the kept answer; it issues nothing new, so the
 * ledger and the audit log see one issuance. This plugin runs after the MFA gate, which refuses a
 * user who must enrol before anyone waits, claims or replays.
 */
export function refreshSingleFlight({ db, secret, windowSeconds }: { db: Database; secret: string; windowSeconds: number }): BetterAuthPlugin {
  const claims = new WeakMap<object, { tokenHash: string; request: string }>();
  let lastSweepAt = 0;

  return authPlugin({
    id: "gatehouse-refresh-single-flight",
    before: [
      hook(isRefresh, async (ctx) => {
        const form = (ctx.body ?? {}) as Form;
        const presented = field(form, "refresh_token");
        const clientId = namedClientId(ctx.headers, form);
        if (!presented || !clientId) return;
        const token = await refreshTokenRow(db, presented);
        // Not this client's token, or none at all: the provider refuses it as such.
        if (!token || token.clientId !== clientId) return;
        const theft = () => db.transaction((tx) => endReusedGrant(tx, token, oauthActor(ctx, token.clientId, null)));
        // A DPoP-bound token is exchanged only with a fresh proof, which a kept answer cannot stand in for.
        if (windowSeconds <= 0 || token.confirmation) {
          if (token.rotatedAt) await theft();
          return;
        }

        const tokenHash = storedSecretHash(presented);
        const request = exchangeRequestFingerprint({
          clientId,
          credential: presentedCredential(ctx.headers, form),
          scope: field(form, "scope"),
          resource: (form.resource as string[] | string | undefined) ?? undefined,
        });
        const giveUpAt = Date.now() + WAIT_MS;
        for (;;) {
          const exchange = await liveExchange(db, tokenHash);
          if (exchange?.response) {
            const answer = await keptAnswer(exchange.response, secret, request);
            if (!answer) {
              throw new APIError("BAD_REQUEST", {
                error: "invalid_grant",
                error_description: "This refresh token was just exchanged by a different request. Use the tokens that exchange returned.",
              });
            }
            ctx.setHeader("Cache-Control", "no-store");
            ctx.setHeader("Pragma", "no-cache");
            return answer;
          }
          if (exchange) {
            if (Date.now() > giveUpAt) {
              throw new APIError(
                "SERVICE_UNAVAILABLE",
                { error: "temporarily_unavailable", error_description: "This refresh token is being exchanged right now. Try again in a moment." },
                { "Retry-After": "1", "Cache-Control": "no-store" },
              );
            }
            await sleep(POLL_MS);
            continue;
          }
          // No exchange running or within its window: a rotated token presented now is theft.
          const current = await refreshTokenRow(db, presented);
          if (current?.rotatedAt) {
            await theft();
            return;
          }
          if (await claimExchange(db, { tokenHash, clientId, until: new Date(Date.now() + CLAIM_SECONDS * 1000) })) {
            claims.set(ctx.context, { tokenHash, request });
            return;
          }
        }
      }),
    ],
    after: [
      hook(isRefresh, async (ctx) => {
        const claim = claims.get(ctx.context);
        if (!claim) return;
        claims.delete(ctx.context);
        const returned = ctx.context.returned as TokenResponseBody | undefined;
        if (returned && !isAPIError(returned) && typeof returned.access_token === "string") {
          await completeExchange(db, {
            tokenHash: claim.tokenHash,
            secret,
            request: claim.request,
            body: returned,
            until: new Date(Date.now() + windowSeconds * 1000),
          });
        } else {
          await abandonExchange(db, claim.tokenHash);
        }
        if (Date.now() - lastSweepAt > SWEEP_INTERVAL_MS) {
          lastSweepAt = Date.now();
          await sweepExpiredExchanges(db);
        }
      }),
    ],
  });
}
