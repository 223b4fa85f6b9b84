import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { NoAccess } from "@/app/(console)/_components/ui";
import { loadRolesParams, rolesListInput } from "./_components/queries";
import { RolesConsole } from "./_components/roles-console";

export const metadata: Metadata = { title: "Roles" };

export default async function RolesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireSession();
  const queryClient = getQueryClient();
  try {
    // The server decides who may see roles: a caller who may not is refused by the query itself.
    await queryClient.fetchQuery(trpc.roles.permissionOptions.queryOptions());
  } catch (error) {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") {
      return <NoAccess title="Roles" subject="roles" permission="roles:read" />;
    }
    // Any other failure is shown by the client component, which retries the query.
  }
  // The URL holds the list's search and order.
  await queryClient.prefetchQuery(trpc.roles.list.queryOptions(rolesListInput(await loadRolesParams(searchParams))));
  return (
    <HydrateClient>
      <RolesConsole />
    </HydrateClient>
  );
}
