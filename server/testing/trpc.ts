import { randomUUID } from "node:crypto";
import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";

/** A server-side caller with the same context a browser request with `cookie` would get. */
export async function callerAs(deps: { db: Database; auth: Auth }, cookie?: string) {
  const headers = new Headers(cookie ? { cookie } : {});
  return createCaller(await createTRPCContext({ ...deps, headers }));
}

/**
 * A server-side caller with the context `/mcp` builds for a verified access token of `clientId`
 * acting for `userId`, authorized in a session signed in just now (so step-up is satisfied).
 */
export async function tokenCallerAs(deps: { db: Database; auth: Auth }, userId: string, clientId: string) {
  const signIn = await (await deps.auth.$context).internalAdapter.createSession(userId);
  const bearer = { userId, clientId, tokenId: randomUUID(), sessionId: signIn.id };
  return createCaller(await createTRPCContext({ ...deps, headers: new Headers(), bearer }));
}
