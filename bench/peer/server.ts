/**
 * The bench's peer: panva's oidc-provider (certified, the base of many identity providers) configured
 * like Gatehouse's authorization server, serving on loopback as its own process so its CPU and memory
 * can be read apart. Started by bench/run.ts as `node --import tsx bench/peer/server.ts` with
 * PEER_PORT and PEER_DATABASE (a libSQL file path); prints one line, `peer listening on <issuer>`.
 *
 * Like Gatehouse: PKCE required (S256, the only method oidc-provider 9 knows), refresh tokens rotate
 * on every use, access tokens are EdDSA (Ed25519) JWTs bound to one resource with RFC 8707 resource
 * indicators, fifteen minutes long, everything stored durably. Unlike Gatehouse there is no audit
 * log, ledger of issued access tokens, rate limit or second factor: that difference is part of
 * what the comparison shows.
 *
 * oidc-provider refuses to introspect a JWT access token (lib/shared/reject_structured_tokens.js),
 * so the confidential client's tokens for the same resource are opaque: the peer's introspection is
 * a stored-token lookup, Gatehouse's a signature check plus a ledger lookup.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createClient } from "@libsql/client";
// oidc-provider ships no types; the few calls below are typed in ./oidc-provider.d.ts.
import Provider, { errors } from "oidc-provider";
import { libsqlAdapter, prepareAdapterDatabase } from "./adapter";
import { PEER_ACCOUNT, PEER_CALLBACK, PEER_CONFIDENTIAL_CLIENT, PEER_CONFIDENTIAL_SECRET, PEER_PUBLIC_CLIENT, PEER_SCOPES, peerResource } from "./constants";

async function main() {
  const port = Number(process.env.PEER_PORT);
  const file = process.env.PEER_DATABASE;
  if (!port || !file) throw new Error("PEER_PORT and PEER_DATABASE are required");
  const issuer = `http://127.0.0.1:${port}`;
  const resource = peerResource(issuer);

  const database = createClient({ url: `file:${file}` });
  await prepareAdapterDatabase(database);
  const signingKey = { ...generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }), kid: "bench-ed25519", alg: "EdDSA", use: "sig" };

  const provider = new Provider(issuer, {
    adapter: libsqlAdapter(database),
    clients: [
      {
        client_id: PEER_PUBLIC_CLIENT,
        token_endpoint_auth_method: "none",
        redirect_uris: [PEER_CALLBACK],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        id_token_signed_response_alg: "EdDSA",
      },
      {
        client_id: PEER_CONFIDENTIAL_CLIENT,
        client_secret: PEER_CONFIDENTIAL_SECRET,
        token_endpoint_auth_method: "client_secret_basic",
        introspection_endpoint_auth_method: "client_secret_basic",
        redirect_uris: [PEER_CALLBACK],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        id_token_signed_response_alg: "EdDSA",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["bench-peer-cookie-key-0123456789"] },
    scopes: ["openid", "offline_access"],
    pkce: { required: () => true },
    // Gatehouse rotates on every use; oidc-provider's default rotates public clients' tokens only.
    rotateRefreshToken: () => true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed("refresh_token"),
    expiresWithSession: async () => false,
    ttl: { AccessToken: 15 * 60, AuthorizationCode: 60, RefreshToken: 30 * 24 * 60 * 60, Grant: 30 * 24 * 60 * 60, Session: 24 * 60 * 60, Interaction: 60 * 60 },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string, client: { clientId: string }) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: PEER_SCOPES,
            audience: resource,
            accessTokenTTL: 15 * 60,
            accessTokenFormat: client.clientId === PEER_CONFIDENTIAL_CLIENT ? "opaque" : "jwt",
            jwt: { sign: { alg: "EdDSA" } },
          };
        },
      },
    },
  });

  /**
   * The bench's own login and consent: whoever arrives is the bench's one account, and consent is
   * granted for exactly what the interaction says is missing (oidc-provider's documented
   * interactionDetails / Grant / interactionFinished path).
   */
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      await provider.interactionFinished(req, res, { login: { accountId: PEER_ACCOUNT } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session?.accountId ?? PEER_ACCOUNT, clientId: String(details.params.client_id) });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  }

  const handle = provider.callback();
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(error instanceof Error ? error.message : String(error));
      });
      return;
    }
    handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, "127.0.0.1", () => console.info(`peer listening on ${issuer}`));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => server.close(() => {
      database.close();
      process.exit(0);
    }));
  }
}

main().catch((error: unknown) => {
  console.error(`peer failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
