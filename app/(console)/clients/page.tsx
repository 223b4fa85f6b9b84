import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { HydrateClient, caller, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { NoAccess } from "../_components/ui";
import { ClientsList } from "./_components/clients-list";
import { ConnectMcpPanel } from "./_components/connect-mcp-panel";
import { RegistrationSummary } from "./_components/registration-summary";
import { MetadataDocumentPolicyPanel } from "./_components/metadata-document-policy-panel";
import { clientsListInput, loadClientsParams } from "./_components/queries";

export const metadata: Metadata = { title: "Clients" };

/** A query whose refusal means "not for this caller": FORBIDDEN gives null, anything else is thrown. */
async function unlessForbidden<T>(query: Promise<T>): Promise<T | null> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return null;
    throw error;
  }
}

export default async function ClientsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const queryClient = getQueryClient();
  const api = await caller();
  // The URL holds the list's filters, order and page.
  const listInput = clientsListInput(await loadClientsParams(searchParams));
  // What the page shows is what the server lets the caller read: a refused list is no access, and the
  // installation-wide panels (self-registered clients, the metadata-document policy) need global readers.
  const [list, summary, policy] = await Promise.all([
    unlessForbidden(api.clients.list(listInput)),
    unlessForbidden(api.clients.registrationSummary()),
    unlessForbidden(api.clientMetadataDocuments.get()),
  ]);
  if (!list) return <NoAccess title="Clients" subject="OAuth clients" permission="clients:read" />;
  queryClient.setQueryData(trpc.clients.list.queryKey(listInput), list);
  if (summary) queryClient.setQueryData(trpc.clients.registrationSummary.queryKey(), summary);
  if (policy) queryClient.setQueryData(trpc.clientMetadataDocuments.get.queryKey(), policy);
  await queryClient.prefetchQuery(trpc.mcp.connection.queryOptions());
  return (
    <HydrateClient>
      <ClientsList />
      {summary ? <RegistrationSummary /> : null}
      {policy ? <MetadataDocumentPolicyPanel /> : null}
      <ConnectMcpPanel />
    </HydrateClient>
  );
}
