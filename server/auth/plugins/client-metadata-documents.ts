import type { GenericEndpointContext } from "@better-auth/core";
import { extendOAuthProvider, type ClientDiscovery, type SchemaClient, type Scope } from "@better-auth/oauth-provider";
import type { BetterAuthPlugin } from "better-auth";
import { isAPIError } from "better-auth/api";
import type { Database } from "@/db/client";
import { fetchPublicResource } from "@/server/oauth/metadata-document-fetch";
import { createMetadataDocumentClients, type MetadataDocumentSettings } from "@/server/oauth/metadata-document-clients";
import { readMetadataDocumentMode } from "@/server/oauth/metadata-document-policy";
import { isMetadataDocumentClientId, METADATA_DOCUMENT_DISCOVERY_ID } from "@/server/oauth/metadata-documents";
import { beforeAuthorize } from "./token-endpoint";
import { authPlugin, hook } from "./define";

/** The provider reads at most 64 KiB of a JWKS; the guard stops there too. */
const JWKS_MAX_BYTES = 64 * 1024;

const METADATA_PATHS = new Set(["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]);

/**
 * Client ID Metadata Documents: an MCP client may name itself by an https URL whose JSON document
 * describes it, instead of registering. The provider's client lookup (authorize, consent, token,
 * revoke, introspect) asks the discovery registered here for such ids, so the policy is checked and a
 * stale document fetched again wherever a client is looked up.
 *
 * An authorization request is resolved before the provider sees it: when its document cannot be used
 * the browser lands on Gatehouse's error page, which says why, and never on a redirect URI that
 * nothing vouches for. The provider dispatches `/oauth2/authorize` again after sign-in and consent;
 * those passes find the stored client and fetch nothing.
 */
export function clientMetadataDocuments({ db, fetch }: { db: Database; fetch?: MetadataDocumentSettings }): BetterAuthPlugin {
  const clients = createMetadataDocumentClients({ db, fetch });
  const discovery: ClientDiscovery = {
    id: METADATA_DOCUMENT_DISCOVERY_ID,
    matches: isMetadataDocumentClientId,
    resolve: (ctx, clientId, existing) => clients.resolve(ctx, clientId, existing),
    // How the provider fetches a private_key_jwt client's jwks_uri: behind the same guard as the document.
    fetchClientMetadataResource: async (input) => {
      const fetched = await fetchPublicResource(input instanceof Request ? input.url : String(input), { ...fetch, maxBytes: JWKS_MAX_BYTES });
      const empty = fetched.status === 204 || fetched.status === 304 || (fetched.status >= 300 && fetched.status < 400);
      return new Response(empty ? null : new Uint8Array(fetched.body), { status: fetched.status, headers: fetched.headers });
    },
  };
  return authPlugin({
    id: "gatehouse-client-metadata-documents",
    init(ctx) {
      extendOAuthProvider(ctx, { clientDiscovery: discovery });
    },
    before: [
      beforeAuthorize(async (ctx, { clientId }) => {
        if (!clientId || !isMetadataDocumentClientId(clientId)) return;
        const existing = await ctx.context.adapter.findOne<SchemaClient<Scope[]>>({
          model: "oauthClient",
          where: [{ field: "clientId", value: clientId }],
        });
        // A client registered some other way under an https id is the provider's to look up.
        if (existing && existing.clientDiscoveryId !== METADATA_DOCUMENT_DISCOVERY_ID) return;
        try {
          await clients.resolve(ctx as unknown as GenericEndpointContext, clientId, existing);
        } catch (error) {
          if (!isAPIError(error)) throw error;
          // The provider's own error page, as it builds the URL for the errors it cannot send to the client.
          const page = ctx.context.options.onAPIError?.errorURL || `${ctx.context.baseURL}/error`;
          const query = new URLSearchParams({
            error: String(error.body?.error ?? "invalid_client"),
            error_description: String(error.body?.error_description ?? ""),
          });
          const url = `${page}${page.includes("?") ? "&" : "?"}${query}`;
          // The provider's own answer to a redirect: JSON for a script (fetch, or a resumed request), a 302 for a navigation.
          const wantsJson =
            ctx.request?.headers.get("sec-fetch-mode") === "cors" || (ctx.headers?.get("accept")?.includes("application/json") ?? false);
          if (wantsJson) return { redirect: true, url };
          throw ctx.redirect(url);
        }
      }),
    ],
    after: [
      // RFC 8414 metadata: the feature is advertised only while the installation accepts documents.
      hook(METADATA_PATHS, async (ctx) => {
        const returned = ctx.context.returned;
        if (!returned || typeof returned !== "object" || isAPIError(returned) || returned instanceof Response) return;
        const { client_id_metadata_document_supported: _advertised, ...metadata } = returned as Record<string, unknown>;
        if ((await readMetadataDocumentMode(db)) === "off") return metadata;
        return { ...metadata, client_id_metadata_document_supported: true };
      }),
    ],
  });
}
