import { TRPCError } from "@trpc/server";
import { z } from "zod";

/**
 * Keyset paging for every list: a page is the rows after the sort key of the previous page's last
 * row, so a page costs one indexed range scan however deep it is, and rows written meanwhile never
 * shift a page.
 */

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

export const INVALID_CURSOR = "This page cursor is not valid; load the list again from the first page.";

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** The input every keyset-paginated list takes; the value is opaque to callers. */
export const cursorInputSchema = z
  .string()
  .min(1)
  .max(1000, INVALID_CURSOR)
  .optional()
  .describe("The nextCursor of the previous page; leave it out for the first page.");

/** How many rows a page holds, in the words of the list ("user", "users"). */
export function pageSizeSchema(thing: string, things: string) {
  return z
    .number()
    .int("The page size is a whole number.")
    .min(1, `Ask for at least 1 ${thing} per page.`)
    .max(PAGE_SIZE_MAX, `Ask for at most ${PAGE_SIZE_MAX} ${things} per page.`)
    .default(PAGE_SIZE_DEFAULT)
    .describe(`How many ${things} per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT}).`);
}

/** A list's free-text search: trimmed, at most 100 characters, optional; the list describes what it matches. */
export const searchSchema = z.string().trim().max(100, "Search for at most 100 characters.").optional();

/** The paging fields of a list's input, spread into its `z.object`. */
export function pageInputFields(thing: string, things: string) {
  return { cursor: cursorInputSchema, limit: pageSizeSchema(thing, things) };
}

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

/**
 * One list's sort key: what its cursor holds. `after` reads a cursor (undefined for the first page);
 * `page` takes the rows of a query that asked for `limit + 1` and cuts them into a page whose cursor
 * points after its last row.
 */
export function keyset<Key extends Record<string, string | number>>(shape: z.ZodType<Key>) {
  return {
    after(cursor: string | undefined): Key | undefined {
      return cursor === undefined ? undefined : decodeCursor(cursor, shape);
    },
    page<Row>(rows: Row[], limit: number, keyOf: (row: Row) => Key): Page<Row> {
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
    },
  };
}
