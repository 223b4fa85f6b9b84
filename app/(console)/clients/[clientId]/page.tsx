import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { HydrateClient, caller, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { NoAccess } from "../../_components/ui";
import { ClientDetailView } from "../_components/client-detail";

type Caller = Awaited<ReturnType<typeof caller>>;

/**
 * Cached per request: the metadata and the page both need the client. FORBIDDEN means the caller
 * reads no clients anywhere; a client outside their domains is NOT_FOUND like one that does not
 * exist, and a malformed id is neither.
 */
type Loaded = { client: Awaited<ReturnType<Caller["clients"]["get"]>> } | "forbidden" | null;

const loadClient = cache(async (clientId: string): Promise<Loaded> => {
  try {
    return { client: await (await caller()).clients.get({ clientId }) };
  } catch (error) {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return "forbidden";
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

interface ClientPageProps {
  params: Promise<{ clientId: string }>;
}

export async function generateMetadata({ params }: ClientPageProps): Promise<Metadata> {
  const { clientId } = await params;
  const loaded = await loadClient(clientId).catch(() => null);
  return { title: loaded && loaded !== "forbidden" ? `${loaded.client.name} · Clients` : "Client" };
}

export default async function ClientPage({ params }: ClientPageProps) {
  const { clientId } = await params;
  const queryClient = getQueryClient();
  const loaded = await loadClient(clientId);
  if (loaded === "forbidden") return <NoAccess title="Client" subject="OAuth clients" permission="clients:read" />;
  if (!loaded) notFound();
  queryClient.setQueryData(trpc.clients.get.queryKey({ clientId }), loaded.client);
  return (
    <HydrateClient>
      <ClientDetailView clientId={clientId} />
    </HydrateClient>
  );
}
