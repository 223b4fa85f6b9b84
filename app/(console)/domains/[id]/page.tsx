import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { NoAccess } from "@/app/(console)/_components/ui";
import { HydrateClient, caller, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { DomainDetail } from "../_components/domain-detail";
import { loadMembersParams, membersListInput } from "../_components/queries";

/**
 * Cached per request: the metadata and the page both need the domain. The server's answer decides
 * what the page shows: FORBIDDEN for someone who may read no domain at all, NOT_FOUND for a domain
 * outside the caller's scope as for one that does not exist (and a malformed id is neither).
 */
const loadDomain = cache(async (id: string) => {
  try {
    return { forbidden: false as const, domain: await (await caller()).domains.get({ id }) };
  } catch (error) {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return { forbidden: true as const };
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const loaded = await loadDomain(id).catch(() => null);
  return { title: loaded && !loaded.forbidden ? `${loaded.domain.name} · Domains` : "Domain" };
}

export default async function DomainPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const loaded = await loadDomain(id);
  if (loaded?.forbidden) return <NoAccess title="Domain" subject="domains" permission="domains:read" />;
  if (!loaded) notFound();
  const queryClient = getQueryClient();
  queryClient.setQueryData(trpc.domains.get.queryKey({ id }), loaded.domain);
  if (loaded.domain.sees.members) await queryClient.prefetchQuery(trpc.domains.members.queryOptions(membersListInput(id, await loadMembersParams(searchParams))));
  return (
    <HydrateClient>
      <DomainDetail id={id} />
    </HydrateClient>
  );
}
