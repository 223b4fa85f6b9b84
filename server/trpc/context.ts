import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";

export interface ContextDependencies {
  db: Database;
  auth: Auth;
  headers: Headers;
}

/** Identifies the caller; procedures decide what that caller may do. */
export async function createTRPCContext({ db, auth, headers }: ContextDependencies) {
  const session = await auth.api.getSession({ headers });
  return {
    db,
    auth,
    headers,
    session: session?.session ?? null,
    user: session?.user ?? null,
  };
}

export type Context = Awaited<ReturnType<typeof createTRPCContext>>;
