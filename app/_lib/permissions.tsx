"use client";

import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Permission } from "@/server/shared/permissions";
import { useTRPC } from "./trpc/client";

/**
 * What the signed-in user may do, for hiding controls they cannot use. Only a convenience: the
 * server checks every call on its own.
 */
export function usePermissions() {
  const trpc = useTRPC();
  const query = useQuery(trpc.me.permissions.queryOptions(undefined, { staleTime: 30_000 }));
  const data = query.data;

  /** Held in that domain (global ∪ domain), or globally when `domainId` is null. */
  const can = useCallback(
    (permission: Permission, domainId: string | null = null) =>
      !!data &&
      (data.global.includes(permission) || (domainId !== null && (data.byDomain[domainId]?.includes(permission) ?? false))),
    [data],
  );

  const canAnywhere = useCallback(
    (permission: Permission) =>
      !!data && (data.global.includes(permission) || Object.values(data.byDomain).some((list) => list.includes(permission))),
    [data],
  );

  return { ready: query.isSuccess, can, canAnywhere };
}
