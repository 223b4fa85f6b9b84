/**
 * The security headers of Gatehouse's responses. The static ones go on every response through
 * `next.config.ts`; the ones that vary per request (the CSP nonce, the referrer policy of pages that
 * carry codes, HSTS, which depends on PUBLIC_URL at run time) are set on HTML pages by `proxy.ts`.
 *
 * No path aliases here: next.config.ts imports this file before the app's module resolution exists.
 */

/** Headers for every response, pages and APIs alike: none of them changes what a JSON client sees. */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  {
    key: "Permissions-Policy",
    value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), publickey-credentials-get=(self), publickey-credentials-create=(self)",
  },
  // For browsers that predate CSP's frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
];

/**
 * Pages whose URL carries a code, a token or a signed OAuth request (consent, reset and invitation
 * links, email verification, the setup link, sign-in and the challenge during an authorization,
 * enrolment's way back to one), or shows them (the development outbox): no Referer leaves them, not
 * even to this origin. The whole sign-in family is listed, with or without a query, so the rule does
 * not depend on which parameters a page happens to carry.
 */
export const NO_REFERRER_PAGES: readonly string[] = [
  "/consent",
  "/reset-password",
  "/forgot-password",
  "/invite",
  "/verify-email",
  "/setup",
  "/sign-in",
  "/sign-up",
  "/two-factor",
  "/enrol-mfa",
  "/oauth-error",
  "/dev/outbox",
];

export function referrerPolicyFor(pathname: string): string {
  const noReferrer = NO_REFERRER_PAGES.some((page) => pathname === page || pathname.startsWith(`${page}/`));
  return noReferrer ? "no-referrer" : "strict-origin-when-cross-origin";
}

/** A fresh value for every page request, as CSP3 asks: 128 random bits. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Stylesheets a library inserts as a <style> element of its own, with no way to give it the nonce,
 * allowed by the hash of their exact text: sonner (the console's toasts) inserts its CSS when it is
 * imported. It appends the element empty and fills it after, and the browser checks the empty one
 * too, so the hash of the empty text is listed as well (an empty stylesheet does nothing).
 * `security-headers.test.ts` recomputes the hash from the installed sonner, so an upgrade that
 * changes its CSS fails there instead of silently losing the toasts' styles.
 */
export const EMPTY_STYLE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
export const LIBRARY_STYLE_HASHES: readonly string[] = [EMPTY_STYLE_HASH, "sha256-StEaX+se6YS7pqjzrzMIA0KaX9zF/8zAhvQXZAe5epY="];

/** The nonce a page's policy allows, as proxy.ts forwards the policy on the request; null outside a page request. */
export function nonceFromPolicy(policy: string | null | undefined): string | null {
  return /'nonce-([^']+)'/.exec(policy ?? "")?.[1] ?? null;
}

/**
 * Scripts run only with the page's nonce (Next.js puts it on its own scripts when it finds it in the
 * request's CSP header) and what they load ('strict-dynamic'). Images may come from any https host,
 * for client logos on the consent page, and from data: URLs (the authenticator QR code). Forms post
 * only here; after consent the browser leaves by a script navigation, which form-action does not
 * govern. Development adds what React's dev tooling needs.
 */
export function contentSecurityPolicy({ nonce, development, https }: { nonce: string; development: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${development ? "'unsafe-inline'" : [`'nonce-${nonce}'`, ...LIBRARY_STYLE_HASHES.map((hash) => `'${hash}'`)].join(" ")}`,
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** One year; not includeSubDomains, since Gatehouse cannot know that every host under its domain speaks https. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

/** The headers `proxy.ts` sets on a page response. */
export function pageSecurityHeaders({
  pathname,
  nonce,
  publicUrl,
  development,
}: {
  pathname: string;
  nonce: string;
  publicUrl: string;
  development: boolean;
}): Record<string, string> {
  const https = publicUrl.startsWith("https:");
  return {
    "Content-Security-Policy": contentSecurityPolicy({ nonce, development, https }),
    "Referrer-Policy": referrerPolicyFor(pathname),
    ...(https ? { "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY } : {}),
  };
}
