import { createLoader, listParsers, pageAndSort, prefixedKeys, textFilter } from "../../_components/list-params";

/**
 * The domains list's and a domain's members list's URL state and query input, shared by the server
 * page's prefetch and the client components. Kept out of the "use client" files: a server component
 * importing a value from one gets a reference, not the value.
 */

export const DOMAIN_SORTS = ["slug", "name", "createdAt"] as const;

/** ?q=…&sort=name.desc&pages=…&hide=… */
export const domainsParams = { ...listParsers(DOMAIN_SORTS), q: textFilter };

export const loadDomainsParams = createLoader(domainsParams);

/** Empty filters and the default order are left out, so the server's prefetch and the browser's first query share one cache key. */
export function domainsListInput(state: Awaited<ReturnType<typeof loadDomainsParams>>) {
  return { ...(state.q ? { search: state.q } : {}), ...pageAndSort(state) };
}

/** The members list sorts on the server in one order only; its state sits behind "members." beside the domain's page. */
export const membersParams = { ...listParsers([] as const), q: textFilter };
export const membersUrlKeys = prefixedKeys(["sort", "pages", "hide", "q"] as const, "members.");

export const loadMembersParams = createLoader(membersParams, { urlKeys: membersUrlKeys });

export function membersListInput(id: string, state: Awaited<ReturnType<typeof loadMembersParams>>) {
  const cursor = state.pages.at(-1);
  return { id, ...(state.q ? { search: state.q } : {}), ...(cursor ? { cursor } : {}) };
}
