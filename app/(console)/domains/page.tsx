import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { DomainsList } from "./_components/domains-list";
import { domainsListInput, loadDomainsParams } from "./_components/queries";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const queryClient = getQueryClient();
  // The URL holds the list's search, order and page.
  const listInput = domainsListInput(await loadDomainsParams(searchParams));
  try {
    await queryClient.fetchQuery(trpc.domains.list.queryOptions(listInput));
  } catch (error) {
    // The server decides who may list domains; its refusal is the page's "no access".
    if (error instanceof TRPCError && error.code === "FORBIDDEN") {
      return <NoAccess title="Domains" subject="domains" permission="domains:read" />;
    }
    throw error;
  }
  return (
    <HydrateClient>
      <DomainsList />
    </HydrateClient>
  );
}
