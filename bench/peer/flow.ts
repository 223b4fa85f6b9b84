/**
 * Tokens from the peer through its real flow: authorization request with PKCE, the bench's login and
 * consent interaction (bench/peer/server.ts), the redirect with a code, the code grant. The cookie
 * jar keeps the peer's session, so after the first grant the peer skips login and consent as
 * Gatehouse skips consent for the bench's trusted client.
 */
import { createHash, randomBytes } from "node:crypto";
import { PEER_CALLBACK, PEER_CONFIDENTIAL_CLIENT, PEER_CONFIDENTIAL_SECRET, PEER_PUBLIC_CLIENT, PEER_SCOPES, peerResource } from "./constants";

export interface PeerTokens {
  accessToken: string;
  refreshToken: string;
}

export const peerConfidentialBasic = `Basic ${Buffer.from(`${encodeURIComponent(PEER_CONFIDENTIAL_CLIENT)}:${encodeURIComponent(PEER_CONFIDENTIAL_SECRET)}`).toString("base64")}`;

export class PeerFlow {
  private readonly cookies = new Map<string, string>();

  constructor(readonly issuer: string) {}

  private remember(response: Response) {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair!.indexOf("=");
      if (at > 0) this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Follows the peer's redirects (authorize, interaction, resume) until one leaves for the callback. */
  private async code(clientId: string, challenge: string): Promise<string> {
    const authorize = new URL(`${this.issuer}/auth`);
    for (const [name, value] of Object.entries({
      response_type: "code",
      client_id: clientId,
      redirect_uri: PEER_CALLBACK,
      scope: `${PEER_SCOPES} offline_access`,
      state: "bench",
      code_challenge: challenge,
      code_challenge_method: "S256",
      resource: peerResource(this.issuer),
    })) {
      authorize.searchParams.set(name, value);
    }
    let next = authorize.href;
    for (let hop = 0; hop < 10; hop += 1) {
      const response = await fetch(next, { headers: { cookie: this.cookieHeader() }, redirect: "manual" });
      this.remember(response);
      await response.arrayBuffer();
      const location = response.headers.get("location");
      if (!location) throw new Error(`the peer answered ${response.status} at ${new URL(next).pathname} without a redirect`);
      const target = new URL(location, next);
      if (target.href.startsWith(PEER_CALLBACK)) {
        const code = target.searchParams.get("code");
        if (!code) throw new Error(`the peer redirected back without a code: ${target.search}`);
        return code;
      }
      next = target.href;
    }
    throw new Error("the peer's authorization did not finish within 10 redirects");
  }

  /** One authorization-code grant; the confidential client authenticates with client_secret_basic. */
  async tokens(confidential = false): Promise<PeerTokens> {
    const clientId = confidential ? PEER_CONFIDENTIAL_CLIENT : PEER_PUBLIC_CLIENT;
    const verifier = randomBytes(32).toString("base64url");
    const code = await this.code(clientId, createHash("sha256").update(verifier).digest("base64url"));
    const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: PEER_CALLBACK, code_verifier: verifier, resource: peerResource(this.issuer) });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (confidential) headers.authorization = peerConfidentialBasic;
    else body.set("client_id", clientId);
    const response = await fetch(`${this.issuer}/token`, { method: "POST", headers, body });
    const tokens = (await response.json()) as { access_token?: string; refresh_token?: string; error_description?: string };
    if (!tokens.access_token || !tokens.refresh_token) throw new Error(`the peer's token endpoint answered ${response.status}: ${tokens.error_description ?? "no refresh token"}`);
    return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
  }

  /**
   * Token-endpoint bodies for `count` refresh grants of the public client, each token redeemed once.
   * The first flow signs in and consents alone; the rest share its session a few at a time.
   */
  async refreshGrantBodies(count: number, parallel = 4): Promise<string[]> {
    const bodies: string[] = [];
    const issueOne = async () => {
      const { refreshToken } = await this.tokens();
      bodies.push(new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: PEER_PUBLIC_CLIENT, resource: peerResource(this.issuer) }).toString());
    };
    if (count > 0) await issueOne();
    let started = bodies.length;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (started < count) {
          started += 1;
          await issueOne();
        }
      }),
    );
    return bodies;
  }
}
