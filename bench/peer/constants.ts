/**
 * What the peer (bench/peer/server.ts) and the bench's flows against it (bench/peer/flow.ts) agree
 * on, kept apart so the bench process never loads oidc-provider itself.
 */
export const PEER_PUBLIC_CLIENT = "bench-public";
export const PEER_CONFIDENTIAL_CLIENT = "bench-confidential";
export const PEER_CONFIDENTIAL_SECRET = "bench-confidential-secret-0123456789abcdef";
export const PEER_CALLBACK = "http://127.0.0.1:9/callback";
export const PEER_ACCOUNT = "bench-user";
export const PEER_SCOPES = "mcp:read mcp:write mcp:admin";

/** The resource the peer's tokens are bound to, as Gatehouse binds its own to `<public URL>/mcp`. */
export function peerResource(issuer: string): string {
  return `${issuer}/mcp`;
}
