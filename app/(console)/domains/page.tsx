import type { Metadata } from "next";
import { Panel } from "@/app/(console)/_components/ui";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { DomainsList } from "./_components/domains-list";
import { holdsAnywhere } from "./_components/held";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage() {
  const queryClient = getQueryClient();
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "domains:read")) {
    return (
      <div className="max-w-2xl space-y-6">
        <h1 className="text-2xl font-semibold tracking-tight">Domains</h1>
        <Panel className="px-5 py-4 text-sm text-slate-700">
          You do not have access to domains. Ask an administrator for a role with the domains:read permission.
        </Panel>
      </div>
    );
  }
  await queryClient.prefetchQuery(trpc.domains.list.queryOptions({}));
  return (
    <HydrateClient>
      <DomainsList />
    </HydrateClient>
  );
}
