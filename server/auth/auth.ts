import { betterAuth } from "better-auth";
import { boundedPasswordHashing } from "./password-hashing";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { oauthProvider } from "@better-auth/oauth-provider";
import { nextCookies } from "better-auth/next-js";
import { jwt, twoFactor } from "better-auth/plugins";
import { passkey } from "@better-auth/passkey";
import type Redis from "ioredis";
import { AccessTokenVerifier } from "@/server/oauth/access-token";
import {
  authIssuer,
  DEFAULT_OAUTH_SETTINGS,
  mcpResourceUrl,
  REGISTRATION_DEFAULT_SCOPES,
  SIGNING_KEY_GRACE_SECONDS,
  SIGNING_KEY_ROTATION_SECONDS,
  storedSecretHash,
  type OAuthSettings,
} from "@/server/oauth/config";
import { OAUTH_SCOPES } from "@/server/shared/scopes";
import { revokeIssuedAccessTokens } from "@/server/oauth/issued-tokens";
import type { MetadataDocumentSettings } from "@/server/oauth/metadata-document-clients";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { activeAuthTransaction } from "@/server/auth/auth-transaction";
import { rateLimitRules } from "@/server/auth/rate-limits";
import { redisAuthStorage } from "@/server/auth/redis";
import { accountChanges } from "@/server/auth/plugins/account-changes";
import { authAudit } from "@/server/auth/plugins/auth-audit";
import { backupCodeDigests, hashedBackupCodes } from "@/server/auth/plugins/hashed-backup-codes";
import { clientMetadataDocuments } from "@/server/auth/plugins/client-metadata-documents";
import { clientRegistration } from "@/server/auth/plugins/client-registration";
import { commonPasswords } from "@/server/auth/plugins/common-passwords";
import { domainClients } from "@/server/auth/plugins/domain-clients";
import { emailsPerAddressLimit } from "@/server/auth/plugins/emails-per-address";
import { factorNotices } from "@/server/auth/plugins/factor-notices";
import { factorRemoval } from "@/server/auth/plugins/factor-removal";
import { factorStepUp } from "@/server/auth/plugins/factor-step-up";
import { mfaGate } from "@/server/auth/plugins/mfa-gate";
import { oauthAudit } from "@/server/auth/plugins/oauth-audit";
import { oauthErrors } from "@/server/auth/plugins/oauth-errors";
import { outgoingEmail } from "@/server/auth/plugins/outgoing-email";
import { passkeyBookkeeping } from "@/server/auth/plugins/passkey-bookkeeping";
import { passkeySecondFactor } from "@/server/auth/plugins/passkey-second-factor";
import { refreshSingleFlight } from "@/server/auth/plugins/refresh-single-flight";
import { requestedScopes } from "@/server/auth/plugins/requested-scopes";
import { completePasswordReset, recordResetLink, resetLinks } from "@/server/auth/plugins/reset-links";
import { revocationMetadata } from "@/server/auth/plugins/revocation-metadata";
import { secondFactorAudit } from "@/server/auth/plugins/second-factor-audit";
import { secondFactorLockout } from "@/server/auth/plugins/second-factor-lockout";
import { noticeExistingAccountSignUp, signUpAudit } from "@/server/auth/plugins/sign-up";
import { signUpGate } from "@/server/auth/plugins/sign-up-gate";
import { tokenIntrospection } from "@/server/auth/plugins/token-introspection";
import { tokenLedger } from "@/server/auth/plugins/token-ledger";
import { tokenRevocation } from "@/server/auth/plugins/token-revocation";
import { userinfoBearer } from "@/server/auth/plugins/userinfo-bearer";
import { verificationLink } from "@/server/auth/plugins/verification-link";
import { assignDefaultMemberships, joinClaimingDomain } from "@/server/domains/membership";
import { createSecurityNotices } from "@/server/email/security-notices";
import { createSendEmail, TERMINAL_ONLY_EMAIL, type SendEmail } from "@/server/email/send";
import { clientAddress } from "@/server/client-address";
import { isLoopbackUrl } from "@/server/loopback";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/server/validation/password";

export interface AuthDependencies {
  db: Database;
  /** Origin (and optional path) the console is reached at; the issuer and cookie scope derive from it. */
  publicUrl: string;
  secret: string;
  signup: "open" | "closed";
  oauth?: OAuthSettings;
  /** better-auth limits rates in production only; tests of the limits switch it on. */
  rateLimit?: boolean;
  /** With one, request counters and the session cache live in Redis, shared by every instance using it. */
  redis?: Redis;
  /**
   * The schema generator builds an instance before the OAuth tables exist, so it must not seed the
   * MCP resource row at start-up.
   */
  generatingSchema?: boolean;
  /** Where reset and verification links go; without one they are only printed to the terminal. */
  sendEmail?: SendEmail;
  /** How client ID metadata documents are fetched; tests point it at a local https server. */
  metadataDocuments?: MetadataDocumentSettings;
}

/** Seconds a password-reset link stays valid. */
export const RESET_PASSWORD_TTL_SECONDS = 60 * 60;

/**
 * better-auth's own link first checks the token, then redirects to `page` with `?token=` or
 * `?error=`; pointing it at an absolute page keeps any path PUBLIC_URL has.
 */
function linkLandingOn(url: string, page: string): string {
  const link = new URL(url);
  link.searchParams.set("callbackURL", page);
  return link.toString();
}

/**
 * The current address of an email-change token, which better-auth sends through the same
 * verification email as a new account's (it signed the token a moment ago, so it is only read here).
 */
function emailChangeFrom(token: string): string | null {
  try {
    const payload = decodeJwt(token);
    return payload.requestType === "change-email-verification" && typeof payload.email === "string" ? payload.email : null;
  } catch {
    return null;
  }
}

/**
 * An address proved by its link, opened in a browser signed in to its account: the account joins the
 * domain that claims the address, and the log says so.
 */
async function emailVerified(db: Database, user: { id: string; email: string }, headers: Headers | undefined): Promise<void> {
  await db.transaction(async (tx) => {
    const { joinedDomainId } = await joinClaimingDomain(tx, user);
    await recordAuthEvent(tx, {
      action: "auth.email_verified",
      userId: user.id,
      headers,
      domainId: joinedDomainId,
      details: joinedDomainId ? { joinedDomainId } : {},
    });
  });
}

/** Consecutive wrong second-factor codes before the account's MFA is locked, and for how long. */
export const MFA_MAX_FAILED_ATTEMPTS = 5;
export const MFA_LOCKOUT_SECONDS = 15 * 60;
const MFA_ATTEMPTS = { maxAttempts: MFA_MAX_FAILED_ATTEMPTS, windowMs: MFA_LOCKOUT_SECONDS * 1000, lockoutMs: MFA_LOCKOUT_SECONDS * 1000 };

export function createAuth({
  db,
  publicUrl,
  secret,
  signup,
  oauth = DEFAULT_OAUTH_SETTINGS,
  rateLimit,
  redis,
  generatingSchema = false,
  sendEmail = createSendEmail({ db, settings: TERMINAL_ONLY_EMAIL }),
  metadataDocuments,
}: AuthDependencies) {
  const issuer = authIssuer(publicUrl);
  const mcpResource = mcpResourceUrl(publicUrl);
  const verifier = new AccessTokenVerifier(db, issuer);
  const secondFactor = twoFactor({
    issuer: "Gatehouse",
    // Ten single-use codes, stored as hashes only.
    backupCodeOptions: { amount: 10, storeBackupCodes: hashedBackupCodes(secret) },
    accountLockout: { enabled: true, maxFailedAttempts: MFA_MAX_FAILED_ATTEMPTS, durationSeconds: MFA_LOCKOUT_SECONDS },
  });
  const redisStorage = redis ? redisAuthStorage(redis) : undefined;
  const notices = createSecurityNotices({
    db,
    publicUrl,
    sendEmail,
    countBackupCodes: async (stored) => (JSON.parse(await hashedBackupCodes(secret).decrypt(stored)) as unknown[]).length,
  });
  return betterAuth({
    appName: "Gatehouse",
    baseURL: publicUrl,
    basePath: "/api/auth",
    secret,
    database: drizzleAdapter(db, { provider: "sqlite", schema, transaction: true }),
    trustedOrigins: [new URL(publicUrl).origin],
    telemetry: { enabled: false },
    // Authorize errors that cannot go back to the client (unknown client, unregistered redirect_uri) land on this page.
    onAPIError: { errorURL: "/oauth-error" },
    secondaryStorage: redisStorage?.secondaryStorage,
    rateLimit: {
      ...(rateLimit === undefined ? {} : { enabled: rateLimit }),
      // Counted in the database (or Redis) so that every instance sharing it enforces one limit.
      storage: "database",
      customStorage: redisStorage?.rateLimitStorage,
      customRules: rateLimitRules(oauth.registrationLimits),
    },
    emailAndPassword: {
      enabled: true,
      password: boundedPasswordHashing(),
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      // No session from sign-up: a taken address then gets the very same answer as a new one, and its
      // owner an email instead.
      autoSignIn: false,
      onExistingUserSignUp: noticeExistingAccountSignUp(db, notices),
      resetPasswordTokenExpiresIn: RESET_PASSWORD_TTL_SECONDS,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url, token }) => {
        await recordResetLink(db, user.id, token);
        const link = linkLandingOn(url, `${publicUrl}/reset-password`);
        await sendEmail({
          to: user.email,
          subject: "Reset your Gatehouse password",
          text: [
            "Someone asked to reset the password of your Gatehouse account.",
            "Open this link within an hour to choose a new one. It works once.",
            "",
            link,
            "",
            "If it was not you, ignore this email: your password stays as it is.",
          ].join("\n"),
          link,
        });
      },
      onPasswordReset: async ({ user }, request) => {
        await completePasswordReset(db, user.id, request?.headers);
        await notices.passwordReset(user);
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      // The link proves only that someone can read the mailbox: it confirms the address, and signing in
      // still takes the password and the second factor.
      autoSignInAfterVerification: false,
      sendVerificationEmail: async ({ user, token }) => {
        // The console's page, which confirms the address once its reader is signed in as the account.
        const link = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
        const changingFrom = emailChangeFrom(token);
        try {
          await sendEmail(
            changingFrom
              ? {
                  to: user.email,
                  subject: "Confirm the new email address of your Gatehouse account",
                  text: [
                    `Someone signed in to the Gatehouse account of ${changingFrom} asked to change its email address to this one.`,
                    "Open this link within an hour, in a browser signed in to that account, to make the change:",
                    "",
                    link,
                    "",
                    "If you did not ask for this, do not open the link: nothing changes without it.",
                  ].join("\n"),
                  link,
                }
              : {
                  to: user.email,
                  subject: "Confirm your Gatehouse email address",
                  text: [
                    "Open this link within an hour, and sign in if asked, to confirm the email address of your Gatehouse account:",
                    "",
                    link,
                    "",
                    "If you did not create a Gatehouse account, do not open the link: someone else typed your address.",
                  ].join("\n"),
                  link,
                },
          );
        } catch (error) {
          // Anyone may ask for this email for any address; a failure answered as an error would tell
          // them that an unverified account uses it.
          console.error(`The verification email to ${user.email} could not be sent:`, error);
        }
      },
      afterEmailVerification: (user, request) => emailVerified(db, user, request?.headers),
    },
    // Reset tokens (and every other verification value) are looked up by hash, so a copy of the
    // database holds no usable link. With Redis they still live in the database alone (see redis.ts).
    verification: { storeIdentifier: "hashed", storeInDatabase: true },
    user: {
      // The new address is confirmed by a link sent to it, opened in a browser signed in to the
      // account (plugins/verification-link.ts); the old one is told (plugins/account-changes.ts).
      changeEmail: { enabled: true },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      // With Redis, sessions are cached there but stay in the database: the console lists them from
      // it, and the OAuth provider requires it.
      storeSessionInDatabase: true,
    },
    advanced: {
      cookiePrefix: "gatehouse",
      // Secure cookies everywhere except plain-http loopback development.
      useSecureCookies: !isLoopbackUrl(publicUrl) || publicUrl.startsWith("https:"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            // Inside withAuthWrites the user row is not committed yet: join that transaction.
            const tx = activeAuthTransaction();
            if (tx) await assignDefaultMemberships(tx, user);
            else await db.transaction((inner) => assignDefaultMemberships(inner, user));
          },
        },
      },
      session: {
        delete: {
          // The provider stops honouring access tokens minted in a session once it ends; the ledger agrees.
          after: async (ended) => {
            const tx = activeAuthTransaction();
            if (tx) await revokeIssuedAccessTokens(tx, { sessionId: ended.id }, "session_ended");
            else await db.transaction((inner) => revokeIssuedAccessTokens(inner, { sessionId: ended.id }, "session_ended"));
          },
        },
        create: {
          // Every way of getting a session passes here, so a suspended account cannot get one.
          before: async (session, context) => {
            const [ban] = await db
              .select({ userId: schema.userBan.userId })
              .from(schema.userBan)
              .where(eq(schema.userBan.userId, session.userId))
              .limit(1);
            if (ban) {
              throw new APIError("FORBIDDEN", {
                message: "This account is suspended. Contact an administrator.",
                code: "ACCOUNT_SUSPENDED",
              });
            }
            // better-auth stores the address it keys rate limits on (IPv6 cut to its /64, so every
            // IPv6 client on loopback reads 0000:…:0000); the session keeps the client's whole address,
            // derived as the audit log derives it.
            const headers = context?.headers ?? context?.request?.headers;
            return headers ? { data: { ...session, ipAddress: clientAddress(headers) } } : undefined;
          },
        },
      },
    },
    // The jwt plugin's /token hands a session JWT to any signed-in browser, and the provider's
    // session-authenticated client and consent CRUD would bypass Gatehouse's permissions and audit:
    // the console's tRPC routers do that work instead.
    disabledPaths: [
      "/token",
      "/oauth2/create-client",
      "/oauth2/get-client",
      "/oauth2/get-clients",
      "/oauth2/update-client",
      "/oauth2/delete-client",
      "/oauth2/client/rotate-secret",
      "/oauth2/get-consent",
      "/oauth2/get-consents",
      "/oauth2/update-consent",
      "/oauth2/delete-consent",
    ],
    // better-auth runs the plugins' hooks in this order, before hooks and after hooks alike, each only
    // for the paths its matcher takes; an after hook sees what the ones before it answered.
    plugins: [
      // Gatehouse's rules and bookkeeping around better-auth's own endpoints come first, ahead of the
      // plugins that own those endpoints: the sign-in audit must see a password sign-in before the
      // two-factor and passkey plugins withdraw its session, and every plugin after oauthErrors sees
      // an OAuth endpoint's error in RFC 6749's shape.
      signUpGate({ db, signup }),
      // After the sign-up gate: a closed sign-up says so whatever password was typed.
      commonPasswords(),
      factorRemoval({ db }),
      authAudit({ db, secondFactor }),
      secondFactorAudit({ db }),
      backupCodeDigests(),
      passkeyBookkeeping({ db }),
      userinfoBearer({ verifier }),
      tokenLedger({ db }),
      tokenRevocation({ db, verifier }),
      tokenIntrospection({ db, verifier }),
      oauthAudit({ db }),
      // After the hooks above, which answer revocation and introspection errors themselves; before
      // every plugin below, which expects RFC 6749 errors (the MFA gate's introspection hook, the
      // registration and single-flight hooks).
      oauthErrors(),
      // Before the provider: its after hook continues an authorization request as soon as sign-in sets a
      // session cookie, so the second factor must have withdrawn that session first.
      secondFactor,
      passkeySecondFactor({ db }),
      passkey({
        rpID: new URL(publicUrl).hostname,
        rpName: "Gatehouse",
        origin: new URL(publicUrl).origin,
      }),
      signUpAudit(db),
      emailsPerAddressLimit(db),
      verificationLink(),
      resetLinks(db),
      factorNotices(db, notices),
      accountChanges({ db, notices, emailVerified: (user, headers) => emailVerified(db, user, headers) }),
      outgoingEmail(sendEmail),
      jwt({ jwt: { issuer }, jwks: { rotationInterval: SIGNING_KEY_ROTATION_SECONDS, gracePeriod: SIGNING_KEY_GRACE_SECONDS } }),
      // Before the provider: it stands in front of the provider's own answer to `<issuer>/.well-known/*`.
      revocationMetadata(),
      oauthProvider({
        loginPage: "/sign-in",
        consentPage: "/consent",
        scopes: [...OAUTH_SCOPES],
        resources: generatingSchema ? [] : [{ identifier: mcpResource, name: "Gatehouse MCP" }],
        clientRegistrationDefaultResources: generatingSchema ? [] : [mcpResource],
        accessTokenExpiresIn: oauth.accessTokenTtlSeconds,
        m2mAccessTokenExpiresIn: oauth.accessTokenTtlSeconds,
        allowDynamicClientRegistration: oauth.registration !== "off",
        allowUnauthenticatedClientRegistration: oauth.registration !== "off",
        clientRegistrationDefaultScopes: [...REGISTRATION_DEFAULT_SCOPES],
        clientRegistrationAllowedScopes: [...OAUTH_SCOPES],
        clientPrivileges: () => false,
        storeClientSecret: { hash: storedSecretHash },
        storeTokens: { hash: storedSecretHash },
        advertisedMetadata: { scopes_supported: [...OAUTH_SCOPES] },
      }),
      clientRegistration({
        db,
        issuer,
        mcpResource,
        policy: oauth.registration,
        limits: oauth.registrationLimits,
        unusedClientDays: oauth.unusedClientDays,
      }),
      clientMetadataDocuments({ db, fetch: metadataDocuments }),
      domainClients({ db, issuer }),
      requestedScopes({ db, issuer }),
      // After the provider, whose before hook may still refuse a request these count.
      secondFactorLockout({ db, policy: MFA_ATTEMPTS }),
      factorStepUp({ db }),
      mfaGate(db),
      // After the MFA gate: a refresh it refuses neither waits for, claims nor replays an exchange.
      refreshSingleFlight({ db, secret, windowSeconds: oauth.refreshReuseWindowSeconds }),
      // Last, as better-auth's Next.js integration asks: it copies the cookies every hook above set.
      nextCookies(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * better-auth finishes setting up on first use, and the OAuth provider then seeds the MCP resource
 * row. That write must not happen inside a Gatehouse transaction (it would wait behind it forever),
 * so every entry point opens the instance through here before doing anything else.
 */
export async function openAuth(dependencies: AuthDependencies): Promise<Auth> {
  const auth = createAuth(dependencies);
  await auth.$context;
  return auth;
}
