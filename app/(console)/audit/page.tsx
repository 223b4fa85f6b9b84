import type { Metadata } from "next";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, getQueryClient, mayOpenPage, trpc } from "@/app/_lib/trpc/server";
import { AuditLog } from "./_components/audit-log";
import { auditPageAndSort, filtersOf, loadAuditParams, serverFilters, toAuditInput } from "./_components/filters";

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
  // The URL holds the filters, order and page; the time range is the reader's local time, applied in the browser.
  const state = await loadAuditParams(searchParams);
  await Promise.all([
    queryClient.prefetchQuery(trpc.audit.list.queryOptions({ ...toAuditInput(serverFilters(filtersOf(state))).input, ...auditPageAndSort(state) })),
    queryClient.prefetchQuery(trpc.audit.actions.queryOptions()),
    queryClient.prefetchQuery(trpc.audit.domains.queryOptions()),
    // A link or a reload with ?event=… opens its panel with the event already there.
    state.event ? queryClient.prefetchQuery(trpc.audit.get.queryOptions({ id: state.event })) : null,
  ]);
  return (
    <HydrateClient>
      <AuditLog />
    </HydrateClient>
  );
}
