import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { holdsAnywhere } from "@/app/_lib/held-permissions";
import { HydrateClient, caller, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { NoAccess } from "../../_components/ui";
import { ClientDetailView } from "../_components/client-detail";

/** Cached per request: the metadata and the page both need the client. */
const loadClient = cache(async (clientId: string) => {
  try {
    return await (await caller()).clients.get({ clientId });
  } catch (error) {
    // A client outside the caller's domains is NOT_FOUND like one that does not exist; a malformed id is neither.
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

interface ClientPageProps {
  params: Promise<{ clientId: string }>;
}

export async function generateMetadata({ params }: ClientPageProps): Promise<Metadata> {
  const { clientId } = await params;
  const client = await loadClient(clientId).catch(() => null);
  return { title: client ? `${client.name} · Clients` : "Client" };
}

export default async function ClientPage({ params }: ClientPageProps) {
  const { clientId } = await params;
  const queryClient = getQueryClient();
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "clients:read")) {
    return <NoAccess title="Client" subject="OAuth clients" permission="clients:read" />;
  }
  const client = await loadClient(clientId);
  if (!client) notFound();
  queryClient.setQueryData(trpc.clients.get.queryKey({ clientId }), client);
  return (
    <HydrateClient>
      <ClientDetailView clientId={clientId} />
    </HydrateClient>
  );
}
