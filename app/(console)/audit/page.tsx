import type { Metadata } from "next";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, getQueryClient, mayOpenPage, trpc } from "@/app/_lib/trpc/server";
import { AuditLog } from "./_components/audit-log";
import { filtersFromSearchParams, toAuditInput } from "./_components/filters";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if (!(await mayOpenPage("/audit"))) {
    return <NoAccess title="Audit log" subject="the audit log" permission="audit:read" />;
  }
  const queryClient = getQueryClient();
  const initialFilters = filtersFromSearchParams(await searchParams);
  await Promise.all([
    queryClient.prefetchQuery(trpc.audit.list.queryOptions(toAuditInput(initialFilters).input)),
    queryClient.prefetchQuery(trpc.audit.actions.queryOptions()),
    queryClient.prefetchQuery(trpc.audit.domains.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <AuditLog initialFilters={initialFilters} />
    </HydrateClient>
  );
}
