import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { holdsAnywhere } from "@/app/_lib/held-permissions";
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
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "roles:read")) return <NoAccess title="Roles" subject="roles" permission="roles:read" />;

  try {
    const role = await queryClient.fetchQuery(trpc.roles.get.queryOptions({ id }));
    await Promise.all([
      queryClient.prefetchQuery(trpc.me.get.queryOptions()),
      // The delete dialog offers the other roles to reassign holders to.
      permissions.global.includes("roles:delete") && !role.builtIn
        ? queryClient.prefetchQuery(trpc.roles.list.queryOptions())
        : undefined,
    ]);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    // Any other failure is shown by the client component, which retries the query.
  }
  return (
    <HydrateClient>
      <RoleDetailView id={id} />
    </HydrateClient>
  );
}
