import type { Metadata } from "next";
import { HydrateClient, consolePages, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { Dashboard } from "./_dashboard/dashboard";
import { loadDashboardSearchParams } from "./_dashboard/search-params";

export const metadata: Metadata = { title: "Overview" };

/**
 * The console's home: each section the caller may read (the pages me.console opens to them,
 * as in the navigation), prefetched for the range in the URL so the first render has the figures.
 */
export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user } = await requireSession();
  const pages = new Set((await consolePages()).map((page) => page.href));
  const sections = { audit: pages.has("/audit"), sessions: pages.has("/sessions"), users: pages.has("/users"), clients: pages.has("/clients") };
  const { range } = await loadDashboardSearchParams(searchParams);
  const queryClient = getQueryClient();
  await Promise.all([
    sections.audit ? queryClient.prefetchQuery(trpc.dashboard.activity.queryOptions({ range })) : null,
    sections.audit ? queryClient.prefetchQuery(trpc.dashboard.securityEvents.queryOptions({})) : null,
    sections.sessions ? queryClient.prefetchQuery(trpc.dashboard.access.queryOptions({})) : null,
    sections.users ? queryClient.prefetchQuery(trpc.dashboard.mfaCoverage.queryOptions()) : null,
    sections.clients ? queryClient.prefetchQuery(trpc.dashboard.registeredClients.queryOptions({})) : null,
  ]);
  return (
    <HydrateClient>
      <Dashboard sections={sections} userName={user.name} />
    </HydrateClient>
  );
}
