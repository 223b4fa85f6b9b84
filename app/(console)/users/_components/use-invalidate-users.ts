"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";

/** After a change to a user: assignments change user lists, role counts and domain member counts alike. */
export function useInvalidateUsers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() });
  };
}
