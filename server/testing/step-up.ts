import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { session, sessionReauthentication } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { STEP_UP_MAX_AGE_MS } from "@/server/auth/step-up";
import { authRequest } from "./auth";

export async function sessionIdOf(auth: Auth, cookie: string): Promise<string> {
  const response = await authRequest(auth, "/get-session", { cookie });
  const body = (await response.json()) as { session: { id: string } };
  return body.session.id;
}

/** Moves a session's sign-in (and any step-up) further into the past than step-up accepts. */
export async function ageSignIn(deps: { db: Database; auth: Auth }, cookie: string, by = STEP_UP_MAX_AGE_MS + 60_000): Promise<string> {
  const sessionId = await sessionIdOf(deps.auth, cookie);
  const past = new Date(Date.now() - by);
  await deps.db.update(session).set({ createdAt: past }).where(eq(session.id, sessionId));
  await deps.db
    .update(sessionReauthentication)
    .set({ authenticatedAt: past, secondFactorAt: past })
    .where(eq(sessionReauthentication.sessionId, sessionId));
  return sessionId;
}
