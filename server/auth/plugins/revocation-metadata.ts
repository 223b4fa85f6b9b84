import { isAPIError } from "better-auth/api";
import { authPlugin, hook } from "./define";

const METADATA_ENDPOINTS = new Set(["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]);

type Metadata = Record<string, unknown>;

/**
 * A public client (PKCE, no secret) revokes its own tokens with its `client_id` alone (RFC 7009 §2.1),
 * which the provider accepts, but the provider's metadata lists only the secret-based methods, so
 * clients that read it never try. Introspection stays confidential-only, as the provider says.
 */
function withPublicClientRevocation(metadata: Metadata): Metadata {
  const methods = Array.isArray(metadata.revocation_endpoint_auth_methods_supported) ? metadata.revocation_endpoint_auth_methods_supported : [];
  return { ...metadata, revocation_endpoint_auth_methods_supported: ["none", ...methods.filter((method) => method !== "none")] };
}

/**
 * Adds `none` to `revocation_endpoint_auth_methods_supported` wherever the metadata is served: the
 * provider's endpoints (which Gatehouse's root `/.well-known/*` routes call, through hooks), and the
 * documents the provider answers itself at `<issuer>/.well-known/*`, before any endpoint or hook
 * runs. For those this plugin stands in front of the provider's `onRequest`, so it must come before
 * the provider in the plugin list.
 */
export function revocationMetadata() {
  return authPlugin({
    id: "revocation-metadata",
    async onRequest(request, ctx) {
      const provider = ctx.options.plugins?.find((plugin) => plugin.id === "oauth-provider");
      const answered = await provider?.onRequest?.(request, ctx);
      if (!answered || !("response" in answered)) return undefined;
      const { response } = answered;
      if (request.method !== "GET" || response.status !== 200) return answered;
      const headers = new Headers(response.headers);
      headers.delete("content-length");
      return { response: Response.json(withPublicClientRevocation((await response.json()) as Metadata), { status: 200, headers }) };
    },
    after: [
      hook(METADATA_ENDPOINTS, async (ctx) => {
        const returned = ctx.context.returned;
        if (!returned || typeof returned !== "object" || isAPIError(returned) || returned instanceof Response) return undefined;
        return withPublicClientRevocation(returned as Metadata);
      }),
    ],
  });
}
