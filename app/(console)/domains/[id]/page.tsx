import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, caller, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { DomainDetail } from "../_components/domain-detail";
import { holdsAnywhere, holdsIn } from "@/app/_lib/held-permissions";

/** Cached per request: the metadata and the page both need the domain. */
const loadDomain = cache(async (id: string) => {
  try {
    return await (await caller()).domains.get({ id });
  } catch (error) {
    // A domain outside the caller's scope is NOT_FOUND like one that does not exist; a malformed id is neither.
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const domain = await loadDomain(id).catch(() => null);
  return { title: domain ? `${domain.name} · Domains` : "Domain" };
}

export default async function DomainPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const queryClient = getQueryClient();
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "domains:read")) {
    return <NoAccess title="Domain" subject="domains" permission="domains:read" />;
  }
  const domain = await loadDomain(id);
  if (!domain) notFound();
  queryClient.setQueryData(trpc.domains.get.queryKey({ id }), domain);
  if (holdsIn(permissions, "users:read", id)) {
    await queryClient.prefetchQuery(trpc.domains.members.queryOptions({ id }));
  }
  return (
    <HydrateClient>
      <DomainDetail id={id} />
    </HydrateClient>
  );
}
