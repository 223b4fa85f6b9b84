import type { Metadata } from "next";
import { holdsAnywhere } from "@/app/_lib/held-permissions";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { NoAccess } from "../_components/ui";
import { ClientsList } from "./_components/clients-list";
import { ConnectMcpPanel } from "./_components/connect-mcp-panel";
import { RegistrationSummary } from "./_components/registration-summary";
import { MetadataDocumentPolicyPanel } from "./_components/metadata-document-policy-panel";
import { DOMAIN_OPTIONS_INPUT, EMPTY_CLIENT_FILTERS, clientsListInput } from "./_components/queries";

export const metadata: Metadata = { title: "Clients" };

export default async function ClientsPage() {
  const queryClient = getQueryClient();
  // Fetched into the query cache, so the browser's usePermissions starts with it.
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "clients:read")) {
    return <NoAccess title="Clients" subject="OAuth clients" permission="clients:read" />;
  }
  // Self-registered clients belong to no domain: only a global reader sees how many there are.
  const seesRegistrations = permissions.global.includes("clients:read");
  await Promise.all([
    queryClient.prefetchQuery(trpc.clients.list.queryOptions(clientsListInput(EMPTY_CLIENT_FILTERS))),
    queryClient.prefetchQuery(trpc.mcp.connection.queryOptions()),
    seesRegistrations ? queryClient.prefetchQuery(trpc.clients.registrationSummary.queryOptions()) : undefined,
    seesRegistrations ? queryClient.prefetchQuery(trpc.clientMetadataDocuments.get.queryOptions()) : undefined,
    holdsAnywhere(permissions, "domains:read")
      ? queryClient.prefetchQuery(trpc.domains.list.queryOptions(DOMAIN_OPTIONS_INPUT))
      : undefined,
  ]);
  return (
    <HydrateClient>
      <ClientsList />
      {seesRegistrations ? <RegistrationSummary /> : null}
      <MetadataDocumentPolicyPanel />
      <ConnectMcpPanel />
    </HydrateClient>
  );
}
