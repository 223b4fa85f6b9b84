/**
 * Query inputs shared by the server pages' prefetch and the client components. Kept out of the
 * "use client" files: a server component importing a value from one gets a reference, not the value.
 */

export interface ClientFilters {
  search: string;
  type: "" | "public" | "confidential";
  status: "" | "active" | "disabled";
  domainId: string;
  origin: "" | "console" | "dynamic" | "metadata_document";
}

export const EMPTY_CLIENT_FILTERS: ClientFilters = { search: "", type: "", status: "", domainId: "", origin: "" };

/** Empty filters are left out, so the server's prefetch and the browser's first query share one cache key. */
export function clientsListInput(filters: ClientFilters, cursor?: string) {
  return {
    ...(filters.search ? { search: filters.search } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.domainId ? { domainId: filters.domainId } : {}),
    ...(filters.origin ? { origin: filters.origin } : {}),
    ...(cursor ? { cursor } : {}),
  };
}
