import type { BetterAuthRateLimitRule } from "better-auth";
import { DEFAULT_OAUTH_SETTINGS, type RegistrationLimits } from "@/server/oauth/config";

/**
 * Every request limit Gatehouse sets on better-auth's endpoints, per client IP (as better-auth
 * resolves it) and per path, in seconds. better-auth counts them before any hook or endpoint runs;
 * these rules replace its defaults and the plugins' own (two-factor: 3 per 10 s on every path;
 * oauth-provider: token 20 and register 5 a minute) for the paths they name.
 *
 * The per-IP and per-account MFA lockouts (five wrong codes, 15 minutes) are separate: see
 * plugins/second-factor-lockout.ts, in front of the twoFactor plugin's own `accountLockout`.
 */
export const RATE_LIMIT_RULES = {
  // Password guessing: five tries a minute is plenty for a person who mistyped.
  "/sign-in/*": { window: 60, max: 5 },
  "/sign-up/*": { window: 60, max: 5 },
  // Each request sends an email.
  "/request-password-reset": { window: 60, max: 3 },
  // Each request can send an email, to any address; each address also has its own limit
  // (plugins/emails-per-address.ts).
  "/send-verification-email": { window: 60, max: 3 },
  // Each request emails the address typed, from a signed-in session that proved itself recently.
  "/change-email": { window: 60, max: 3 },
  // The link's token cannot be guessed; the margin is for new passwords the rules turn down.
  "/reset-password": { window: 60, max: 5 },
  // TOTP and backup codes; wrong codes also count towards the lockouts.
  "/two-factor/verify-*": { window: 60, max: 10 },
  "/passkey/generate-authenticate-options": { window: 60, max: 10 },
  "/passkey/verify-authentication": { window: 60, max: 10 },
  // MCP clients refresh their tokens, and several can sit behind one address.
  "/oauth2/token": { window: 60, max: 60 },
  // Dynamic client registration is open to anyone. Hosted clients (Claude, ChatGPT) register once per
  // person from a few addresses of theirs, so this is generous; GATEHOUSE_REGISTRATION_LIMIT_PER_IP
  // sets it, and an installation-wide cap per hour stands behind it (plugins/client-registration.ts).
  "/oauth2/register": { window: 60, max: DEFAULT_OAUTH_SETTINGS.registrationLimits.perIpPerMinute },
} as const satisfies Record<string, BetterAuthRateLimitRule>;

/** The rules with the registration limit an operator configured. */
export function rateLimitRules(registration: RegistrationLimits): Record<string, BetterAuthRateLimitRule> {
  return { ...RATE_LIMIT_RULES, "/oauth2/register": { window: 60, max: registration.perIpPerMinute } };
}

/** better-auth's limiter answers 429 with only this non-standard header; its value is in seconds. */
const LIMITER_RETRY_HEADER = "x-retry-after";

/**
 * better-auth's limiter answers `{ message }` with `X-Retry-After`. Clients (and RFC 9110 §10.2.3)
 * expect `Retry-After`; OAuth clients at `/oauth2/*` expect an RFC 6749 §5.2 body. Any other
 * response passes through untouched, including 429s that already carry `Retry-After` (the MFA
 * lockouts).
 *
 * OAuth endpoints get `temporarily_unavailable`: it is the registered OAuth error for "try again
 * later". `slow_down` belongs to RFC 8628's device grant, where it tells a polling client to add five
 * seconds to its interval, which is not what a limited token or registration request should do.
 */
export function withRetryAfter(response: Response, oauthEndpoint: boolean): Response {
  const seconds = Number(response.headers.get(LIMITER_RETRY_HEADER));
  if (response.status !== 429 || response.headers.has("retry-after") || !Number.isFinite(seconds)) return response;
  const wait = Math.max(1, Math.ceil(seconds));
  const message = `Too many attempts. Try again in ${wait} ${wait === 1 ? "second" : "seconds"}.`;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("retry-after", String(wait));
  headers.set("cache-control", "no-store");
  const body = oauthEndpoint
    ? { error: "temporarily_unavailable", error_description: message }
    : { message, code: "RATE_LIMITED" };
  return Response.json(body, { status: 429, statusText: "Too Many Requests", headers });
}
