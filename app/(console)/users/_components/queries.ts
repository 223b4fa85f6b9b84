import { parseAsStringLiteral } from "nuqs/server";
import { createLoader, listParsers, pageAndSort, textFilter } from "../../_components/list-params";

/**
 * The users list's URL state and query input, shared by the server page's prefetch and the client
 * components. Kept out of the "use client" files: a server component importing a value from one
 * gets a reference, not the value.
 */

export const USER_SORTS = ["email", "name", "createdAt", "lastSignIn"] as const;

/**
 * ?q=…&domain=…&role=…&mfa=missing&sort=name.desc&pages=…&hide=… (domain and role links come from
 * role and domain pages, mfa=missing from the dashboard's MFA coverage).
 */
export const usersParams = {
  ...listParsers(USER_SORTS),
  q: textFilter,
  domain: textFilter,
  role: textFilter,
  /** "missing": only users whose roles or domains require a second factor and who have none. */
  mfa: parseAsStringLiteral(["missing"] as const),
  /** The user whose drawer is open. */
  user: textFilter,
};

export const loadUsersParams = createLoader(usersParams);

type UsersState = Awaited<ReturnType<typeof loadUsersParams>>;

/** Empty filters and the default order are left out, so the server's prefetch and the browser's first query share one cache key. */
export function usersListInput(state: UsersState) {
  return {
    ...(state.q ? { search: state.q } : {}),
    ...(state.domain ? { domainId: state.domain } : {}),
    ...(state.role ? { roleId: state.role } : {}),
    ...(state.mfa ? { mfa: state.mfa } : {}),
    ...pageAndSort(state),
  };
}
