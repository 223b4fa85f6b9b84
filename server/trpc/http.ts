import { TRPCError } from "@trpc/server";
import { BUSY_RETRY_AFTER_SECONDS, databaseBusyErrorOf } from "@/db/client";
import { DATABASE_BUSY_MESSAGE } from "@/server/http";

/** `responseMeta` for the fetch adapter: a 503 from a busy database tells the client when to retry. */
export function trpcResponseMeta({ errors }: { errors: readonly TRPCError[] }): { headers?: Headers } {
  if (!errors.some((error) => error.code === "SERVICE_UNAVAILABLE")) return {};
  return { headers: new Headers({ "Retry-After": String(BUSY_RETRY_AFTER_SECONDS), "Cache-Control": "no-store" }) };
}

/**
 * The context is built before any procedure middleware runs (a session lookup may write), so a busy
 * database there is turned into SERVICE_UNAVAILABLE here rather than an internal error.
 */
export async function contextOrUnavailable<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (databaseBusyErrorOf(error)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_BUSY_MESSAGE, cause: error });
    throw error;
  }
}
