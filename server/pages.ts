import "server-only";
import { TRPCError } from "@trpc/server";
import { getAuth } from "@/server/auth/instance";
import { requireMfaWhereRequired } from "@/server/auth/session";
import { ownerExists } from "@/server/authz/owner";
import { getAppDatabase } from "@/server/db";
import { listOutboxMessages } from "@/server/email/send";
import { findClient, type ClientItem } from "@/server/oauth/clients";
import { isSetupTokenUsable } from "@/server/setup/owner";
import { createTRPCContext } from "@/server/trpc/context";
import { isInvitationUsable } from "@/server/users/invitation";
import { mfaRequirement, requiredByPhrase } from "@/server/users/mfa";

/*
 * What server components read before the page renders, bound to the app's database and auth: the
 * one server module pages import besides the session gates (auth/session.ts), env.ts, server/shared
 * and the tRPC router. A page needing something new adds it here rather than importing an area's
 * internals (the import boundaries in .dependency-cruiser.cjs hold app/ to this).
 */

export type { ClientItem };
export { isLoopbackRedirectUri } from "@/server/loopback";
export { requiredByPhrase };

/** The tRPC context server components prefetch with: the same one the browser's calls get, from the request's headers. */
export async function createPageContext(headers: Headers, requestPath: string) {
  const context = await createTRPCContext({ db: getAppDatabase().db, auth: await getAuth(), headers });
  if (context.user) await requireMfaWhereRequired(context.user.id, requestPath);
  return context;
}

/** Whether (and why) this user must enrol a second factor. */
export async function mfaRequirementOf(userId: string) {
  return mfaRequirement(getAppDatabase().db, userId);
}

export async function invitationUsable(token: string): Promise<boolean> {
  return isInvitationUsable(getAppDatabase().db, token);
}

/** Setup is open until the first owner exists; then its page is not found. */
export async function ownerAlreadyExists(): Promise<boolean> {
  return ownerExists(getAppDatabase().db);
}

export async function setupTokenUsable(token: string): Promise<boolean> {
  return isSetupTokenUsable(getAppDatabase().db, token);
}

/** The client an authorization request names, or null when no client has that id. */
export async function findClientOrNull(clientId: string): Promise<ClientItem | null> {
  try {
    return await findClient(getAppDatabase().db, clientId);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") return null;
    throw error;
  }
}

/** Confirms an email address through better-auth, as the browser whose headers these are. */
export async function verifyEmail(token: string, headers: Headers): Promise<void> {
  await (await getAuth()).api.verifyEmail({ query: { token }, headers });
}

/** The development outbox (mail that would have been sent). */
export async function outboxMessages() {
  return listOutboxMessages(getAppDatabase().db);
}
