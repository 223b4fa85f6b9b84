import { randomUUID } from "node:crypto";
import { TOTP, URI } from "otpauth";
import type { Database } from "@/db/client";
import { passkey } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { TEST_PASSWORD, authRequest, cookieHeader, signUp } from "./auth";

/** A code the authenticator app would show `periods` steps from now. */
export function codeAt(totp: TOTP, periods = 0): string {
  return totp.generate({ timestamp: Date.now() + periods * totp.period * 1000 });
}

/** Six digits that no window the plugin accepts would show. */
export function wrongCode(totp: TOTP): string {
  const valid = new Set([-1, 0, 1].map((offset) => codeAt(totp, offset)));
  let candidate = 0;
  while (valid.has(String(candidate).padStart(6, "0"))) candidate += 1;
  return String(candidate).padStart(6, "0");
}

/** Switches TOTP on for a signed-in account the way the account page does; the plugin replaces the session. */
export async function enrolTotp(auth: Auth, cookie: string, password = TEST_PASSWORD) {
  const enabled = await authRequest(auth, "/two-factor/enable", { body: { password }, cookie });
  if (!enabled.ok) throw new Error(`enable failed: ${enabled.status} ${await enabled.text()}`);
  const { totpURI, backupCodes } = (await enabled.json()) as { totpURI: string; backupCodes: string[] };
  const totp = URI.parse(totpURI) as TOTP;
  const confirmed = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(totp) }, cookie });
  if (!confirmed.ok) throw new Error(`confirmation failed: ${confirmed.status} ${await confirmed.text()}`);
  return { cookie: cookieHeader(confirmed), totp, backupCodes };
}

/** A fresh account with TOTP switched on, and its ten backup codes. */
export async function enrolledUser(auth: Auth) {
  const account = await signUp(auth);
  return { ...account, ...(await enrolTotp(auth, account.cookie)) };
}

/**
 * A passkey row as the plugin would store it after a registration. Registering a real one needs a
 * browser's authenticator (the e2e suite does that); tests of what follows only need the row, whose
 * key is no real key since nothing verifies it.
 */
export async function insertPasskeyRow(db: Database, userId: string, options: { name?: string; createdAt?: Date } = {}) {
  const row = {
    id: randomUUID(),
    name: options.name ?? "Test key",
    publicKey: "fixture-public-key",
    userId,
    credentialID: `credential-${randomUUID()}`,
    counter: 0,
    deviceType: "singleDevice",
    backedUp: false,
    transports: "internal",
    createdAt: options.createdAt ?? new Date(),
    aaguid: null,
  };
  await db.insert(passkey).values(row);
  return row;
}

/** The user a session cookie belongs to, or null once the session is gone. */
export async function sessionUserId(auth: Auth, cookie: string): Promise<string | null> {
  const response = await authRequest(auth, "/get-session", { cookie });
  const body = (await response.json()) as { user?: { id: string } } | null;
  return body?.user?.id ?? null;
}

/** The password step of a sign-in: the response body and the cookies it set (the challenge, or a session). */
export async function passwordSignIn(auth: Auth, email: string, init: { cookie?: string; ip?: string } = {}) {
  const response = await authRequest(auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD }, ...init });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return { body: (await response.json()) as Record<string, unknown>, cookie: cookieHeader(response) };
}
