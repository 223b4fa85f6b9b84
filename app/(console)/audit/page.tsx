import type { Metadata } from "next";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { AuditLog } from "./_components/audit-log";
import { DOMAIN_OPTIONS_LIMIT, filtersFromSearchParams, toAuditInput } from "./_components/filters";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const queryClient = getQueryClient();
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  const held = new Set([...permissions.global, ...Object.values(permissions.byDomain).flat()]);
  if (!held.has("audit:read")) {
    return <NoAccess title="Audit log" subject="the audit log" permission="audit:read" />;
  }
  const initialFilters = filtersFromSearchParams(await searchParams);
  await Promise.all([
    queryClient.prefetchQuery(trpc.audit.list.queryOptions(toAuditInput(initialFilters).input)),
    queryClient.prefetchQuery(trpc.audit.actions.queryOptions()),
    held.has("domains:read") ? queryClient.prefetchQuery(trpc.domains.list.queryOptions({ limit: DOMAIN_OPTIONS_LIMIT })) : null,
  ]);
  return (
    <HydrateClient>
      <AuditLog initialFilters={initialFilters} />
    </HydrateClient>
  );
}
