/**
 * Query inputs shared by the server page's prefetch and the client components. Kept out of the
 * "use client" files: a server component importing a value from one gets a reference, not the value.
 */

export interface UserFilters {
  search: string;
  domainId: string;
  roleId: string;
}

/** Empty filters are left out, so the server's prefetch and the browser's first query share one cache key. */
export function usersListInput(filters: UserFilters, cursor?: string) {
  return {
    ...(filters.search ? { search: filters.search } : {}),
    ...(filters.domainId ? { domainId: filters.domainId } : {}),
    ...(filters.roleId ? { roleId: filters.roleId } : {}),
    ...(cursor ? { cursor } : {}),
  };
}
