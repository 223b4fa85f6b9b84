import type { Metadata } from "next";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { DomainsList } from "./_components/domains-list";
import { holdsAnywhere } from "@/app/_lib/held-permissions";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage() {
  const queryClient = getQueryClient();
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "domains:read")) {
    return <NoAccess title="Domains" subject="domains" permission="domains:read" />;
  }
  await queryClient.prefetchQuery(trpc.domains.list.queryOptions({}));
  return (
    <HydrateClient>
      <DomainsList />
    </HydrateClient>
  );
}
