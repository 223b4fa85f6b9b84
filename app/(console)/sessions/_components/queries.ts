/**
 * Query inputs shared by the server page's prefetch and the client components. Kept out of the
 * "use client" files: a server component importing a value from one gets a reference, not the value.
 */

/** The client picker lists the first page of clients; the router allows at most 100 per page. */
export const CLIENT_OPTIONS_INPUT = { limit: 100 } as const;

/** Empty filters are left out, so the server's prefetch and the browser's first query share one cache key. */
export function grantsInput(filters: { userId: string; clientId: string }, cursor?: string) {
  return {
    ...(filters.userId ? { userId: filters.userId } : {}),
    ...(filters.clientId ? { clientId: filters.clientId } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export function sessionsInput(userId: string, cursor?: string) {
  return { ...(userId ? { userId } : {}), ...(cursor ? { cursor } : {}) };
}
