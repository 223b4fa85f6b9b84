import { TRPCError } from "@trpc/server";
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
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

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** How a list is ordered: one of its sortable columns, and a direction. */
export interface Sort<By extends string> {
  by: By;
  direction: SortDirection;
}

/**
 * A list's `sort` input over its sortable columns, `fallback` when left out (the list's order before
 * sorting existed). MCP tools may leave it out.
 */
export function sortSchema<By extends string>(columns: readonly [By, ...By[]], fallback: Sort<NoInfer<By>>) {
  return z
    .object({
      by: z.enum(columns, `Sort by one of: ${columns.join(", ")}.`).describe(`The column to sort by: ${columns.join(", ")}.`),
      direction: z.enum(SORT_DIRECTIONS, 'The sort direction is "asc" or "desc".').describe('"asc" (A to Z, oldest first) or "desc".'),
    })
    .default(fallback)
    .describe(`The order of the list; by default ${fallback.by}, ${fallback.direction}.`);
}

export const CURSOR_OF_ANOTHER_ORDER =
  "This page cursor belongs to another list or sort order; load the list again from the first page.";

/** A sortable column: its SQL expression (never NULL, so that row values compare) and the type of its values. */
export interface SortColumn {
  expression: SQLWrapper;
  type: "string" | "number";
}

const sortedCursorShape = z.object({
  list: z.string(),
  by: z.string(),
  direction: z.enum(SORT_DIRECTIONS),
  value: z.union([z.string(), z.number()]),
  id: z.string().min(1).max(200),
});

/**
 * Keyset paging for a list that can be sorted: a page continues strictly after the (sort value, id)
 * of the previous page's last row, so pages neither repeat nor skip rows with equal sort values.
 * The cursor names its list and order, so a cursor from another list or sort order is a
 * BAD_REQUEST instead of a page of the wrong rows.
 */
export function sortableKeyset<By extends string>(list: string, columns: Record<By, SortColumn>, id: SQLWrapper) {
  function after(sort: Sort<By>, cursor: string | undefined) {
    if (cursor === undefined) return undefined;
    const key = decodeCursor(cursor, sortedCursorShape);
    if (key.list !== list || key.by !== sort.by || key.direction !== sort.direction || typeof key.value !== columns[sort.by].type) {
      throw new TRPCError({ code: "BAD_REQUEST", message: CURSOR_OF_ANOTHER_ORDER });
    }
    return key;
  }
  return {
    /** The sort value and id of the row a cursor points after; undefined for the first page. */
    after(sort: Sort<By>, cursor: string | undefined): { value: string | number; id: string } | undefined {
      const key = after(sort, cursor);
      return key && { value: key.value, id: key.id };
    },
    /**
     * The condition for rows after `cursor` and the ORDER BY of `sort`. `orderBy` may replace the
     * column in ORDER BY by an equivalent expression that steers SQLite's plan (e.g. `+email`), and
     * `id` the id by an equal column of a joined table, and `column` the sort column by an
     * expression of equal values when the query reads other tables.
     */
    plan(
      sort: Sort<By>,
      cursor: string | undefined,
      options: { orderBy?: SQLWrapper; id?: SQLWrapper; column?: SQLWrapper } = {},
    ): { where: SQL | undefined; orderBy: SQL[] } {
      const key = after(sort, cursor);
      const column = options.column ?? columns[sort.by].expression;
      // A column of another table joined on the id (e.g. user_sign_in.user_id), when that table's index gives the order.
      const tieBreaker = options.id ?? id;
      const ascending = sort.direction === "asc";
      const where = key ? sql`(${column}, ${tieBreaker}) ${ascending ? sql`>` : sql`<`} (${key.value}, ${key.id})` : undefined;
      const order = (expression: SQLWrapper) => (ascending ? sql`${expression} asc` : sql`${expression} desc`);
      return { where, orderBy: [order(options.orderBy ?? column), order(tieBreaker)] };
    },
    /** The cursor of a page that ends at `key`: the next page starts after it. */
    cursorAt(sort: Sort<By>, key: { value: string | number; id: string }): string {
      return encodeCursor({ list, by: sort.by, direction: sort.direction, value: key.value, id: key.id });
    },
    /** Cuts the rows of a query that asked for `limit + 1` into a page; `keyOf` reads a row's sort value and id. */
    page<Row>(rows: Row[], limit: number, sort: Sort<By>, keyOf: (row: Row) => { value: string | number; id: string }): Page<Row> {
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      if (rows.length <= limit || last === undefined) return { items, nextCursor: null };
      const key = keyOf(last);
      return { items, nextCursor: this.cursorAt(sort, key) };
    },
  };
}
