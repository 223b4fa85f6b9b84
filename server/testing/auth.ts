import { and, desc, eq, like, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { devOutboxMessage } from "@/db/schema";
import { openAuth, type Auth, type AuthDependencies } from "@/server/auth/auth";
import { DEFAULT_EMAIL_FROM } from "@/server/env";
import { createSendEmail } from "@/server/email/send";
import { createOwner } from "@/server/setup/owner";
import { createTestDatabase, testBed } from "./db";

export const TEST_PUBLIC_URL = "http://localhost:3000";
export const TEST_PASSWORD = "correct-staple-horse-battery";

const QUIET_LOG = { info: () => undefined, warn: () => undefined };

/** Email goes to the real development outbox of the test database, without printing. */
export function createTestAuth(db: Database, overrides: Partial<AuthDependencies> = {}): Promise<Auth> {
  return openAuth({
    db,
    publicUrl: TEST_PUBLIC_URL,
    secret: "test-secret-that-is-long-enough-for-better-auth",
    signup: "open",
    sendEmail: createSendEmail({ db, settings: { smtpUrl: undefined, from: DEFAULT_EMAIL_FROM, devOutbox: true }, log: QUIET_LOG }),
    ...overrides,
  });
}

/** Calls the real better-auth handler the way a browser on the console's origin would. */
export function authRequest(
  auth: Auth,
  pathname: string,
  init: { method?: string; body?: unknown; rawBody?: string; cookie?: string; ip?: string } = {},
): Promise<Response> {
  const headers = new Headers({ origin: new URL(auth.options.baseURL as string).origin });
  if (init.body !== undefined || init.rawBody !== undefined) headers.set("content-type", "application/json");
  if (init.cookie) headers.set("cookie", init.cookie);
  // The client address better-auth reads; without it every test request comes from 127.0.0.1.
  if (init.ip) headers.set("x-forwarded-for", init.ip);
  return auth.handler(
    new Request(`${auth.options.baseURL}/api/auth${pathname}`, {
      method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? "POST" : "GET"),
      headers,
      body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    }),
  );
}

/** The `name=value` pairs of a response's cookies, ready for a `cookie` request header. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

let sequence = 0;

export function uniqueEmail(prefix = "user"): string {
  sequence += 1;
  return `${prefix}-${sequence}-${Date.now()}@example.com`;
}

/**
 * A new account through public sign-up, then signed in with its password: sign-up itself never
 * starts a session. The email must be new (a taken one gets a stand-in id from better-auth).
 */
export async function signUp(auth: Auth, email = uniqueEmail(), password = TEST_PASSWORD) {
  const response = await authRequest(auth, "/sign-up/email", { body: { name: "Test User", email, password } });
  if (!response.ok) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  const { cookie } = await signIn(auth, email, password);
  return { userId: body.user.id, email, cookie };
}

export async function signIn(auth: Auth, email: string, password = TEST_PASSWORD) {
  const response = await authRequest(auth, "/sign-in/email", { body: { email, password } });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return { cookie: cookieHeader(response) };
}

/** The link of the newest email to `email` whose subject contains `subject`, from the development outbox. */
export async function outboxLink(db: Database, email: string, subject: string): Promise<URL> {
  const [message] = await db
    .select({ link: devOutboxMessage.link })
    .from(devOutboxMessage)
    .where(and(eq(devOutboxMessage.to, email), like(devOutboxMessage.subject, `%${subject}%`)))
    .orderBy(desc(devOutboxMessage.createdAt), desc(sql`rowid`))
    .limit(1);
  if (!message?.link) throw new Error(`No "${subject}" email with a link was sent to ${email}.`);
  return new URL(message.link);
}

/**
 * Confirms the address with the token of the newest verification link sent to `email`, as the
 * console's page does for a browser with `cookie` (none: a browser signed in to nothing).
 */
export async function followVerificationLink(db: Database, auth: Auth, email: string, cookie?: string): Promise<Response> {
  const link = await outboxLink(db, email, "Confirm");
  const token = link.searchParams.get("token") ?? "";
  return authRequest(auth, `/verify-email?token=${encodeURIComponent(token)}`, { cookie });
}

/** An owner signed in, which also opens public sign-up for the other users a test needs. */
export async function createSignedInOwner(db: Database, auth: Auth) {
  const email = uniqueEmail("owner");
  const { userId } = await createOwner({ db, auth }, { name: "Owner", email, password: TEST_PASSWORD });
  const { cookie } = await signIn(auth, email);
  return { userId, email, cookie };
}

/** The auth test bed of one test file (see openAuthTestBed and testBed). */
export function authTestBed(options: { owner?: boolean } = {}) {
  return testBed(() => openAuthTestBed(options));
}

/**
 * A migrated database and the real auth instance on it: what most test files start from. With
 * `owner`, the installation already has its owner, as every real one past setup does.
 */
export async function openAuthTestBed(options: { owner?: boolean } = {}) {
  const database = await createTestDatabase();
  const auth = await createTestAuth(database.db);
  if (options.owner) await createSignedInOwner(database.db, auth);
  return { database, auth };
}
