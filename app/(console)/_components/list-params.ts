import { createLoader, createParser, parseAsArrayOf, parseAsString, type UrlKeys } from "nuqs/server";

/**
 * The URL state of a list, shared by the server page (which prefetches the same query) and the
 * client table: its sort, the cursors of the pages walked through, its hidden columns, and the
 * list's own filters. Kept out of "use client" files so that server components get the values.
 */

export interface ListSort<By extends string = string> {
  by: By;
  direction: "asc" | "desc";
}

/** `?sort=name.desc`: one of the list's sortable columns and a direction; anything else is ignored. */
export function parseAsSort<By extends string>(columns: readonly By[]) {
  return createParser<ListSort<By>>({
    parse: (value) => {
      const [by, direction] = value.split(".");
      if (!columns.includes(by as By) || (direction !== "asc" && direction !== "desc")) return null;
      return { by: by as By, direction };
    },
    serialize: (sort) => `${sort.by}.${sort.direction}`,
    eq: (a, b) => a.by === b.by && a.direction === b.direction,
  });
}

/** What every list keeps in the URL, beside its own filters. */
export function listParsers<By extends string>(sorts: readonly By[]) {
  return {
    sort: parseAsSort(sorts),
    // The nextCursor of every page walked through, so Previous and a reload work from a bookmark.
    pages: parseAsArrayOf(parseAsString).withDefault([]),
    hide: parseAsArrayOf(parseAsString).withDefault([]),
  };
}

/** A text filter that is absent when empty. */
export const textFilter = parseAsString.withDefault("");

/** The URL keys of a list's state behind a prefix, for pages that show two lists ("grants." → ?grants.sort=…). */
export function prefixedKeys<Keys extends string>(keys: readonly Keys[], prefix: string): Partial<Record<Keys, string>> {
  return Object.fromEntries(keys.map((key) => [key, `${prefix}${key}`])) as Partial<Record<Keys, string>>;
}

export { createLoader, type UrlKeys };

/** The sort and page fields of a list's input, left out when default so the server's prefetch and the browser share a cache key. */
export function pageAndSort<By extends string>(state: { sort: ListSort<By> | null; pages: string[] }): { sort?: ListSort<By>; cursor?: string } {
  const cursor = state.pages.at(-1);
  return { ...(state.sort ? { sort: state.sort } : {}), ...(cursor ? { cursor } : {}) };
}

/** Empty text filters are left out of a list's input. */
export function present<Value>(value: Value | "" | null | undefined): Value | undefined {
  return value === "" || value === null ? undefined : value;
}
