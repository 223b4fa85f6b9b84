"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { formatDateTime } from "../../_components/ui";

type Outputs = inferRouterOutputs<AppRouter>;
export type RoleListItem = Outputs["roles"]["list"][number];
export type RoleDetail = Outputs["roles"]["get"];
export type RoleAssignment = RoleDetail["assignments"][number];

/** Where an assignment applies: one domain, or every domain for a global one. */
export function scopeLabel(domainName: string | null): string {
  return domainName ?? "All domains";
}

/** The first message the server gave for one input field (zod issues travel in error.data.fieldErrors). */
export function fieldError(
  error: { data?: { fieldErrors?: Record<string, string[] | undefined> } | null } | null,
  field: string,
): string | undefined {
  return error?.data?.fieldErrors?.[field]?.[0];
}

/** Dates are rendered in the viewer's locale and zone, which the server cannot know. */
export function When({ value }: { value: Date | string }) {
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} suppressHydrationWarning>
      {formatDateTime(date)}
    </time>
  );
}

export function permissionCount(count: number): string {
  return count === 1 ? "1 permission" : `${count} permissions`;
}
