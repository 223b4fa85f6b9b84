import { oauthProviderAuthServerMetadata, oauthProviderOpenIdConfigMetadata } from "@better-auth/oauth-provider";
import type { Auth } from "@/server/auth/auth";
import { authIssuer } from "./config";

export type MetadataKind = "oauth-authorization-server" | "openid-configuration";

/**
 * Serves the issuer's metadata at the root well-known URLs MCP clients probe: RFC 8414 path insertion
 * (`/.well-known/<kind>/api/auth`) and the bare root (`/.well-known/<kind>`), which clients fall back
 * to. Any other issuer path is not ours: 404, so a client never trusts metadata for a foreign issuer.
 */
export async function issuerMetadataResponse(
  auth: Auth,
  publicUrl: string,
  kind: MetadataKind,
  issuerPathSegments: readonly string[],
  request: Request,
): Promise<Response> {
  const requestedPath = issuerPathSegments.join("/");
  const issuerPath = new URL(authIssuer(publicUrl)).pathname.replace(/^\/+|\/+$/g, "");
  if (requestedPath !== "" && requestedPath !== issuerPath) {
    return Response.json(
      { error: "not_found", error_description: `No authorization server has the issuer path /${requestedPath}` },
      { status: 404, headers: { "Cache-Control": "no-store" } },
    );
  }
  const serve = kind === "openid-configuration" ? oauthProviderOpenIdConfigMetadata(auth) : oauthProviderAuthServerMetadata(auth);
  return serve(request);
}
