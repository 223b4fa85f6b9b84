import { TRPCError } from "@trpc/server";
import { z } from "zod";

export const INVALID_CURSOR = "This page cursor is not valid; load the list again from the first page.";

/** The input every keyset-paginated list takes; the value is opaque to callers. */
export const cursorInputSchema = z
  .string()
  .min(1)
  .max(1000, INVALID_CURSOR)
  .optional()
  .describe("The nextCursor of the previous page; leave it out for the first page.");

/** Opaque keyset cursors: base64url JSON of the sort key of the last row of a page. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** A cursor that was tampered with or came from another list is a BAD_REQUEST, never a 500. */
export function decodeCursor<T>(cursor: string, shape: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new TRPCError({ code: "BAD_REQUEST", message: INVALID_CURSOR });
  }
  const result = shape.safeParse(parsed);
  if (!result.success) throw new TRPCError({ code: "BAD_REQUEST", message: INVALID_CURSOR });
  return result.data;
}
