import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { NoAccess } from "@/app/(console)/_components/ui";
import { RoleDetailView } from "../_components/role-detail";

interface RolePageProps {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: RolePageProps): Promise<Metadata> {
  const { id } = await params;
  try {
    const role = await getQueryClient().fetchQuery(trpc.roles.get.queryOptions({ id }));
    return { title: `${role.name} · Roles` };
  } catch {
    return { title: "Role" };
  }
}

export default async function RolePage({ params }: RolePageProps) {
  await requireSession();
  const { id } = await params;
  const queryClient = getQueryClient();
  try {
    const role = await queryClient.fetchQuery(trpc.roles.get.queryOptions({ id }));
    // The delete dialog offers the other roles to reassign holders to.
    if (role.can.delete) await queryClient.prefetchQuery(trpc.roles.list.queryOptions());
  } catch (error) {
    // A caller who may not read roles is refused before the role is looked up.
    if (error instanceof TRPCError && error.code === "FORBIDDEN") {
      return <NoAccess title="Roles" subject="roles" permission="roles:read" />;
    }
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    // Any other failure is shown by the client component, which retries the query.
  }
  return (
    <HydrateClient>
      <RoleDetailView id={id} />
    </HydrateClient>
  );
}
