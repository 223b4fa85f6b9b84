"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;
export type RoleListItem = Outputs["roles"]["list"][number];
export type RoleDetail = Outputs["roles"]["get"];
export type RoleAssignment = RoleDetail["assignments"][number];
export type PermissionOption = RoleDetail["permissionOptions"][number];

/** Where an assignment applies: one domain, or every domain for a global one. */
export function scopeLabel(domainName: string | null): string {
  return domainName ?? "All domains";
}

export function permissionCount(count: number): string {
  return count === 1 ? "1 permission" : `${count} permissions`;
}
