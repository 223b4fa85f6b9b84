"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { useInvalidate } from "../../_components/use-invalidate";

type Outputs = inferRouterOutputs<AppRouter>;
export type GrantItem = Outputs["grants"]["list"]["items"][number];
export type SessionItem = Outputs["sessions"]["list"]["items"][number];

function count(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`;
}

/** What a revocation ended, as a sentence. */
export function revokedSummary(revoked: { accessTokens: number; refreshTokens: number; consents: number; sessions?: number }): string {
  const parts = [
    count(revoked.accessTokens, "access token", "access tokens"),
    count(revoked.refreshTokens, "refresh token", "refresh tokens"),
    count(revoked.consents, "consent", "consents"),
    ...(revoked.sessions === undefined ? [] : [count(revoked.sessions, "browser session", "browser sessions")]),
  ];
  return `Revoked ${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}.`;
}

export function tokenCounts(grant: Pick<GrantItem, "liveAccessTokens" | "refreshTokens">): string {
  return `${count(grant.liveAccessTokens, "access token", "access tokens")} · ${count(grant.refreshTokens, "refresh token", "refresh tokens")}`;
}

/** A revocation changes grants and sessions, the clients' live token counts, users' session counts and the audit log. */
export function useInvalidateRevocations() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  return () =>
    invalidate(
      trpc.grants.pathKey(),
      trpc.sessions.pathKey(),
      trpc.clients.pathKey(),
      trpc.users.pathKey(),
      trpc.account.pathKey(),
      trpc.audit.pathKey(),
    );
}
