import { URI, type TOTP } from "otpauth";

/**
 * A running server's owner signed in over HTTP with the authenticator app their role requires
 * switched on, for scripts that drive a real server (bench, operations specs). Relative imports
 * only: Playwright loads this without the `@/` alias.
 */

export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

export async function postAuth(origin: string, pathname: string, body: unknown, cookie?: string): Promise<Response> {
  const response = await fetch(`${origin}/api/auth${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${pathname} failed: ${response.status} ${await response.text()}`);
  return response;
}

/** Signs in and enrols TOTP; the session that confirmed the app is the one returned. */
export async function signInEnrolled(origin: string, account: { email: string; password: string }): Promise<string> {
  const signedIn = cookiesOf(await postAuth(origin, "/sign-in/email", account));
  const enabled = await postAuth(origin, "/two-factor/enable", { password: account.password }, signedIn);
  const { totpURI } = (await enabled.json()) as { totpURI: string };
  const confirmed = await postAuth(origin, "/two-factor/verify-totp", { code: (URI.parse(totpURI) as TOTP).generate() }, signedIn);
  return cookiesOf(confirmed) || signedIn;
}
