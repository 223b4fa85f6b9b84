import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { idSchema } from "@/server/ids";

/**
 * Bulk mutations (users.banMany, sessions.revokeMany, clients.deleteMany): 1 to 100 distinct ids,
 * each acted on by the single mutation's own rule inside one transaction, so a refused row refuses
 * the whole batch and nothing is written.
 */

export const BULK_MAX = 100;

export function bulkIdsSchema(idName: string, things: string) {
  return z
    .array(idSchema(idName))
    .min(1, `Choose at least one of the ${things}.`)
    .max(BULK_MAX, `Choose at most ${BULK_MAX} ${things} at a time.`)
    .refine((ids) => new Set(ids).size === ids.length, `Choose each of the ${things} once.`)
    .describe(`The ids of the ${things}, 1 to ${BULK_MAX}.`);
}

/**
 * Runs one row's part of a batch; a refusal names the row and says that the batch changed nothing
 * (the transaction it runs in rolls back).
 */
export async function eachOrNothing<T>(label: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TRPCError) {
      throw new TRPCError({ code: error.code, message: `${label}: ${error.message} Nothing was changed.`, cause: error });
    }
    throw error;
  }
}
