/**
 * Who may use each route while their role or domain requires a second factor they have not enrolled:
 * the one declared table behind the MFA gate. The better-auth plugin (`plugins/mfa-gate.ts`) builds its
 * matcher from it, and the route walk (`e2e/operations/mfa-gate.spec.ts`) fails on any page, route
 * handler or `/api/auth` endpoint that is missing here, so a new route cannot slip past the gate.
 *
 * - `public`: acts for nobody signed in (sign-in, sign-up, discovery), or checks a secret of its own
 *   (a setup link, an invitation, a reset link). The gate has nothing to check.
 * - `enrolment`: what enrolling needs, and signing out. Open to a user who must enrol.
 * - `gated`: acts for the signed-in user. A user who must enrol gets a 403 `MFA_ENROLMENT_REQUIRED`
 *   (a page sends them to `/enrol-mfa`; `/oauth2/authorize` too).
 * - `token`: acts for the user an OAuth code, refresh token or access token names, not for a cookie:
 *   refused by that credential's own check (`invalid_grant`, `invalid_token`, `active: false`).
 *
 * No imports: the Playwright walk loads this file without the app's path aliases.
 */
export type RouteAccess = "public" | "enrolment" | "gated" | "token";

/**
 * Pages and route handlers, named as Next.js names their route: the path under `app/` without route
 * groups, with its dynamic segments. `/api/auth/[...all]` is the better-auth handler, walked endpoint
 * by endpoint through `AUTH_ENDPOINT_ACCESS`.
 */
export const APP_ROUTE_ACCESS = {
  // Pages of the (auth) group.
  "/consent": "gated",
  "/enrol-mfa": "enrolment",
  "/sign-in": "public",
  "/sign-up": "public",
  "/two-factor": "public",
  "/forgot-password": "public",
  "/reset-password": "public",
  "/verify-email": "public",
  "/invite": "public",
  "/setup": "public",
  "/oauth-error": "public",
  "/dev/outbox": "public",
  // Route handlers.
  "/api/audit/export": "gated",
  // Every procedure but the few marked `beforeMfaEnrolment` (the enrolment page's) refuses.
  "/api/trpc/[trpc]": "gated",
  "/api/invite": "public",
  "/api/setup": "public",
  "/api/health": "public",
  "/api/auth/[...all]": "gated",
  "/mcp": "token",
  "/.well-known/oauth-authorization-server/[[...issuer]]": "public",
  "/.well-known/openid-configuration/[[...issuer]]": "public",
  "/.well-known/oauth-protected-resource/[[...resource]]": "public",
} as const satisfies Record<string, RouteAccess>;

/**
 * Every page of the `app/(console)` group renders inside the console layout, which sends a user who
 * must enrol to /enrol-mfa: they are all gated, so a new console page needs no entry above.
 */
export const CONSOLE_PAGE_ACCESS: RouteAccess = "gated";

/** How a route found under `app/` is classified: the table, else the rule of its route group; undefined when neither says. */
export function routeAccessOf(route: string, group: string | null): RouteAccess | undefined {
  const declared = (APP_ROUTE_ACCESS as Record<string, RouteAccess>)[route];
  return declared ?? (group === "(console)" ? CONSOLE_PAGE_ACCESS : undefined);
}

/**
 * Every endpoint of the better-auth instance, as `METHOD /path` below `/api/auth`.
 * `server/auth/plugins/mfa-gate.test.ts` holds this list equal to the instance's own endpoints.
 */
export const AUTH_ENDPOINT_ACCESS = {
  // Signing in, signing up and getting back in: no session yet.
  "POST /sign-in/email": "public",
  "POST /sign-in/social": "public",
  "GET /callback/:id": "public",
  "POST /callback/:id": "public",
  "POST /sign-up/email": "public",
  "POST /passkey/verify-authentication": "public",
  "GET /passkey/generate-authenticate-options": "public",
  // The sign-in challenge of a user who has a second factor (so is not one who must enrol).
  "POST /two-factor/verify-backup-code": "public",
  "POST /two-factor/send-otp": "public",
  "POST /two-factor/verify-otp": "public",
  "POST /request-password-reset": "public",
  "GET /reset-password/:token": "public",
  "POST /reset-password": "public",
  "GET /verify-email": "public",
  "POST /send-verification-email": "public",
  "GET /ok": "public",
  "GET /error": "public",
  "GET /jwks": "public",
  "POST /oauth2/register": "public",
  "POST /oauth2/public-client-prelogin": "public",
  // Revoking only takes authority away.
  "POST /oauth2/revoke": "public",

  // Enrolment, and the ways out.
  "GET /get-session": "enrolment",
  "POST /get-session": "enrolment",
  "POST /sign-out": "enrolment",
  "GET /oauth2/end-session": "enrolment",
  "POST /oauth2/end-session": "enrolment",
  "POST /oauth2/end-session/confirm": "enrolment",
  "POST /two-factor/enable": "enrolment",
  // Confirms the new authenticator app (and is the sign-in challenge for everyone else).
  "POST /two-factor/verify-totp": "enrolment",
  "POST /two-factor/get-totp-uri": "enrolment",
  "GET /passkey/generate-register-options": "enrolment",
  "POST /passkey/verify-registration": "enrolment",
  "GET /passkey/list-user-passkeys": "enrolment",
  // Server-only: account.reauthenticate's password check, the step-up a first passkey may need.
  "POST /verify-password": "enrolment",

  // Everything else a signed-in user does.
  "GET /oauth2/authorize": "gated",
  "POST /oauth2/authorize": "gated",
  "POST /oauth2/consent": "gated",
  "POST /oauth2/continue": "gated",
  "GET /oauth2/public-client": "gated",
  "GET /account-info": "gated",
  "POST /change-email": "gated",
  "POST /change-password": "gated",
  "POST /delete-user": "gated",
  "GET /delete-user/callback": "gated",
  "POST /get-access-token": "gated",
  "POST /link-social": "gated",
  "GET /list-accounts": "gated",
  "POST /unlink-account": "gated",
  "POST /refresh-token": "gated",
  "GET /list-sessions": "gated",
  "POST /revoke-session": "gated",
  "POST /revoke-sessions": "gated",
  "POST /revoke-other-sessions": "gated",
  "POST /update-session": "gated",
  "POST /update-user": "gated",
  "POST /two-factor/disable": "gated",
  "POST /two-factor/generate-backup-codes": "gated",
  "POST /passkey/delete-passkey": "gated",
  "POST /passkey/update-passkey": "gated",
  // Switched off in auth.ts (`disabledPaths`): 404 for everyone; gated should one come back.
  "GET /token": "gated",
  "POST /oauth2/create-client": "gated",
  "GET /oauth2/get-client": "gated",
  "GET /oauth2/get-clients": "gated",
  "POST /oauth2/update-client": "gated",
  "POST /oauth2/delete-client": "gated",
  "POST /oauth2/client/rotate-secret": "gated",
  "GET /oauth2/get-consent": "gated",
  "GET /oauth2/get-consents": "gated",
  "POST /oauth2/update-consent": "gated",
  "POST /oauth2/delete-consent": "gated",

  // For the user a code, refresh token or access token names.
  "POST /oauth2/token": "token",
  "GET /oauth2/userinfo": "token",
  "POST /oauth2/userinfo": "token",
  "POST /oauth2/introspect": "token",
  // RFC 7592: the client's own registration, with the registration access token it was given.
  "GET /oauth2/register/:clientId": "token",
  "PUT /oauth2/register/:clientId": "token",
  "DELETE /oauth2/register/:clientId": "token",

  // Server-only: called by Gatehouse's own code, never served at /api/auth (404 there).
  "GET /.well-known/oauth-authorization-server": "public",
  "GET /.well-known/openid-configuration": "public",
  "POST /admin/oauth2/create-client": "gated",
  "PATCH /admin/oauth2/update-client": "gated",
  "GET /admin/oauth2/resources": "gated",
  "POST /admin/oauth2/resources": "gated",
  "GET /admin/oauth2/resources/:identifier": "gated",
  "PATCH /admin/oauth2/resources/:identifier": "gated",
  "DELETE /admin/oauth2/resources/:identifier": "gated",
  "POST /admin/oauth2/resources/:identifier/clients/:client_id": "gated",
  "DELETE /admin/oauth2/resources/:identifier/clients/:client_id": "gated",
} as const satisfies Record<string, RouteAccess>;

/**
 * Endpoints of the table that answer 404 over HTTP: switched off in auth.ts (`disabledPaths`) or
 * server-only. The plugin's test holds this equal to the instance's configuration.
 */
export const AUTH_ENDPOINTS_NOT_SERVED: ReadonlySet<AuthEndpoint> = new Set<AuthEndpoint>([
  "GET /token",
  "POST /oauth2/create-client",
  "GET /oauth2/get-client",
  "GET /oauth2/get-clients",
  "POST /oauth2/update-client",
  "POST /oauth2/delete-client",
  "POST /oauth2/client/rotate-secret",
  "GET /oauth2/get-consent",
  "GET /oauth2/get-consents",
  "POST /oauth2/update-consent",
  "POST /oauth2/delete-consent",
  "GET /.well-known/oauth-authorization-server",
  "GET /.well-known/openid-configuration",
  "POST /admin/oauth2/create-client",
  "PATCH /admin/oauth2/update-client",
  "GET /admin/oauth2/resources",
  "POST /admin/oauth2/resources",
  "GET /admin/oauth2/resources/:identifier",
  "PATCH /admin/oauth2/resources/:identifier",
  "DELETE /admin/oauth2/resources/:identifier",
  "POST /admin/oauth2/resources/:identifier/clients/:client_id",
  "DELETE /admin/oauth2/resources/:identifier/clients/:client_id",
]);

export type AuthEndpoint = keyof typeof AUTH_ENDPOINT_ACCESS;

/**
 * Endpoint paths (better-auth's templates, such as `/reset-password/:token`) that the gate lets
 * through: every method of the path is `public`, `enrolment` or `token`. Anything not listed, a new
 * endpoint included, is gated.
 */
export const UNGATED_AUTH_PATHS: ReadonlySet<string> = (() => {
  const byPath = new Map<string, RouteAccess[]>();
  for (const [endpoint, access] of Object.entries(AUTH_ENDPOINT_ACCESS) as [string, RouteAccess][]) {
    const path = endpoint.slice(endpoint.indexOf(" ") + 1);
    byPath.set(path, [...(byPath.get(path) ?? []), access]);
  }
  return new Set([...byPath].filter(([, accesses]) => accesses.every((access) => access !== "gated")).map(([path]) => path));
})();
