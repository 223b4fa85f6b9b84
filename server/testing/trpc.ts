import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";

/** A server-side caller with the same context a browser request with `cookie` would get. */
export async function callerAs(deps: { db: Database; auth: Auth }, cookie?: string) {
  const headers = new Headers(cookie ? { cookie } : {});
  return createCaller(await createTRPCContext({ ...deps, headers }));
}
