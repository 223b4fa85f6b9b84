import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWK } from "jose";
import type { Executor } from "@/db/client";
import { jwks } from "@/db/schema";
import { SIGNING_KEY_GRACE_SECONDS } from "./config";
import { accessTokenStatus } from "./issued-tokens";

/** A Gatehouse access token that passed every check. */
export interface VerifiedAccessToken {
  jti: string;
  subject: string;
  clientId: string;
  /** The browser session the user authorized in (`sid`); absent for client_credentials. */
  sessionId: string | null;
  scopes: string[];
  audience: string[];
  issuedAt: number;
  expiresAt: number;
}

export type AccessTokenRejection =
  | "malformed"
  | "bad_signature"
  | "expired"
  | "wrong_issuer"
  | "wrong_audience"
  | "revoked"
  | "unknown_token"
  | "mfa_enrolment_required";

export type AccessTokenCheck = { ok: true; token: VerifiedAccessToken } | { ok: false; reason: AccessTokenRejection };

/** Tokens whose signature and claims already checked out, kept until they expire; bounded, oldest out first. */
const VERIFIED_CACHE_SIZE = 10_000;

/** How long a signing-key set read from the database is trusted before an unknown `kid` triggers a re-read. */
const KEY_REFRESH_INTERVAL_MS = 1000;

/**
 * Verifies access tokens in-process: the jwt plugin's public keys are read from the database (so every
 * instance sharing it sees a rotated key) and cached; no HTTP fetch of our own JWKS.
 */
export class AccessTokenVerifier {
  private keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  private knownKeyIds = new Set<string>();
  private loadedAt = 0;
  /**
   * The signature check is most of the cost of a request's authentication and never changes its
   * answer for a given token and audience, so it runs once per token. The revocation lookup, whose
   * answer does change, runs every time.
   */
  private verified = new Map<string, VerifiedAccessToken>();

  constructor(
    private readonly db: Executor,
    private readonly issuer: string,
  ) {}

  private async loadKeys(): Promise<void> {
    const now = Date.now();
    const rows = (await this.db.select().from(jwks)).filter(
      (row) => !row.expiresAt || row.expiresAt.getTime() + SIGNING_KEY_GRACE_SECONDS * 1000 > now,
    );
    const keys: JWK[] = rows.map((row) => ({
      ...(JSON.parse(row.publicKey) as JWK),
      kid: row.id,
      ...(row.alg ? { alg: row.alg } : {}),
    }));
    const set: JSONWebKeySet = { keys };
    this.keySet = createLocalJWKSet(set);
    this.knownKeyIds = new Set(rows.map((row) => row.id));
    this.loadedAt = Date.now();
  }

  private async keysFor(keyId: string | undefined) {
    const stale = Date.now() - this.loadedAt > KEY_REFRESH_INTERVAL_MS;
    if (!this.keySet || (keyId && !this.knownKeyIds.has(keyId) && stale)) await this.loadKeys();
    return this.keySet!;
  }

  /** Signature, `typ`, `exp`, `iss`, `aud` (when given) and then the ledger (revocation, and whether the user
   * must enrol a second factor first), in that order. */
  async verify(token: string, audience?: string, currentDate?: Date): Promise<AccessTokenCheck> {
    const checked = await this.verifyClaims(token, audience, currentDate);
    if (!checked.ok) return checked;
    const status = await accessTokenStatus(this.db, checked.token.jti);
    if (status === "revoked") return { ok: false, reason: "revoked" };
    if (status === "unknown") return { ok: false, reason: "unknown_token" };
    if (status === "mfa_enrolment_required") return { ok: false, reason: "mfa_enrolment_required" };
    return checked;
  }

  /**
   * Signature, `typ`, `exp`, `iss` and `aud` (when given) only, without the ledger: whether Gatehouse
   * signed this token, not whether it is still accepted. For a caller that only tells our tokens from
   * foreign ones and leaves acceptance to a later `verify` (the revocation-and-enrolment lookup is the
   * costly part of a check, so it should run once per request).
   */
  async verifyClaims(token: string, audience?: string, currentDate?: Date): Promise<AccessTokenCheck> {
    if (token.split(".").length !== 3) return { ok: false, reason: "malformed" };
    const cacheKey = `${audience ?? ""} ${token}`;
    let verified = this.verified.get(cacheKey);
    const nowSeconds = (currentDate ?? new Date()).getTime() / 1000;
    if (verified && verified.expiresAt <= nowSeconds) return { ok: false, reason: "expired" };
    if (!verified) {
      const checked = await this.verifySignature(token, audience, currentDate);
      if (!checked.ok) return checked;
      verified = checked.token;
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(cacheKey, verified);
    }
    return { ok: true, token: verified };
  }

  private async verifySignature(token: string, audience: string | undefined, currentDate: Date | undefined): Promise<AccessTokenCheck> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keysFor(header.kid).then((set) => set(header)), {
        issuer: this.issuer,
        typ: "at+jwt",
        ...(audience ? { audience } : {}),
        ...(currentDate ? { currentDate } : {}),
      }));
    } catch (error) {
      return { ok: false, reason: rejectionOf(error) };
    }
    const { jti, sub, sid, client_id: clientId, scope, aud, iat, exp } = payload as Record<string, unknown>;
    if (typeof jti !== "string" || typeof sub !== "string" || typeof clientId !== "string" || typeof exp !== "number") {
      return { ok: false, reason: "malformed" };
    }
    return {
      ok: true,
      token: {
        jti,
        subject: sub,
        clientId,
        sessionId: typeof sid === "string" ? sid : null,
        scopes: typeof scope === "string" && scope ? scope.split(" ") : [],
        audience: Array.isArray(aud) ? aud.map(String) : typeof aud === "string" ? [aud] : [],
        issuedAt: typeof iat === "number" ? iat : 0,
        expiresAt: exp,
      },
    };
  }
}

function rejectionOf(error: unknown): AccessTokenRejection {
  if (error instanceof joseErrors.JWTExpired) return "expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "wrong_issuer";
    if (error.claim === "aud") return "wrong_audience";
    return "malformed";
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return "bad_signature";
  }
  return "malformed";
}

/** Human words for a rejection, safe to send back in `error_description`. */
export const REJECTION_DESCRIPTIONS: Record<AccessTokenRejection, string> = {
  malformed: "The access token is malformed",
  bad_signature: "The access token signature is invalid",
  expired: "The access token has expired",
  wrong_issuer: "The access token was issued by another server",
  wrong_audience: "The access token is for another resource",
  revoked: "The access token has been revoked",
  unknown_token: "The access token is not known to this server",
  mfa_enrolment_required: "The user must set up a second factor in Gatehouse before this token can be used",
};
