import { createLoader, listParsers, textFilter } from "../../_components/list-params";

/**
 * The roles list's URL state and query input, shared by the server page's prefetch and the client
 * console. Kept out of the "use client" files: a server component importing a value from one gets a
 * reference, not the value.
 */

export const ROLE_SORTS = ["name"] as const;

/** ?q=…&sort=name.desc&hide=… (roles are one page: there are no page cursors to keep). */
export const rolesParams = { ...listParsers(ROLE_SORTS), q: textFilter };

export const loadRolesParams = createLoader(rolesParams);

/** No search and no sort is no input at all, the key the server page prefetches under. */
export function rolesListInput(state: Awaited<ReturnType<typeof loadRolesParams>>) {
  if (!state.q && !state.sort) return undefined;
  return { ...(state.q ? { search: state.q } : {}), ...(state.sort ? { sort: state.sort } : {}) };
}
