"use client";

import { useQueryClient, type QueryKey } from "@tanstack/react-query";

/** Marks the given queries (tRPC path keys) stale, refetching the ones on screen; resolves when they have. */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return (...queryKeys: QueryKey[]) => Promise.all(queryKeys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}
