import { parseAsArrayOf, parseAsString } from "nuqs/server";
import { createLoader, listParsers, pageAndSort, prefixedKeys, textFilter, type ListSort } from "../../_components/list-params";

/**
 * The sessions page's URL state and query inputs, shared by the server page's prefetch and the
 * client components. Kept out of the "use client" files: a server component importing a value from
 * one gets a reference, not the value.
 */

/** The client picker lists the first page of clients; the router allows at most 100 per page. */
export const CLIENT_OPTIONS_INPUT = { limit: 100 } as const;

export const GRANT_SORTS = ["lastActive", "createdAt"] as const;
export const SESSION_SORTS = ["lastActive", "createdAt"] as const;

const LIST_KEYS = ["sort", "pages", "hide"] as const;

/** The page's filters: ?user=<email or id>&clientId=… (/sessions?clientId=… comes from a client's page). */
export const sessionsFilterParams = {
  user: textFilter,
  clientId: textFilter,
  // A filter change takes both lists back to their first pages.
  grantPages: parseAsArrayOf(parseAsString).withDefault([]),
  sessionPages: parseAsArrayOf(parseAsString).withDefault([]),
};
export const sessionsFilterUrlKeys = { grantPages: "grants.pages", sessionPages: "sessions.pages" };

/** The grants list's own state, behind "grants." (?grants.sort=createdAt.asc). */
export const grantsParams = listParsers(GRANT_SORTS);
export const grantsUrlKeys = prefixedKeys(LIST_KEYS, "grants.");

/** The browser sessions list's own state, behind "sessions.". */
export const browserSessionsParams = listParsers(SESSION_SORTS);
export const browserSessionsUrlKeys = prefixedKeys(LIST_KEYS, "sessions.");

export const loadSessionsFilters = createLoader(sessionsFilterParams, { urlKeys: sessionsFilterUrlKeys });
export const loadGrantsParams = createLoader(grantsParams, { urlKeys: grantsUrlKeys });
export const loadBrowserSessionsParams = createLoader(browserSessionsParams, { urlKeys: browserSessionsUrlKeys });

interface ListPosition<By extends string> {
  sort: ListSort<By> | null;
  pages: string[];
}

/** Empty filters and the default order are left out, so the server's prefetch and the browser's first query share one cache key. */
export function grantsInput(filters: { userId: string; clientId: string }, position?: ListPosition<(typeof GRANT_SORTS)[number]>) {
  return {
    ...(filters.userId ? { userId: filters.userId } : {}),
    ...(filters.clientId ? { clientId: filters.clientId } : {}),
    ...(position ? pageAndSort(position) : {}),
  };
}

export function sessionsInput(userId: string, position?: ListPosition<(typeof SESSION_SORTS)[number]>) {
  return { ...(userId ? { userId } : {}), ...(position ? pageAndSort(position) : {}) };
}
