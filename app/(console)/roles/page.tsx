import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { holdsAnywhere } from "./_components/access";
import { NoRolesAccess } from "./_components/no-access";
import { RolesConsole } from "./_components/roles-console";

export const metadata: Metadata = { title: "Roles" };

export default async function RolesPage() {
  await requireSession();
  const queryClient = getQueryClient();
  // Fetched into the query cache, so the browser's usePermissions starts with it.
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "roles:read")) return <NoRolesAccess />;
  await queryClient.prefetchQuery(trpc.roles.list.queryOptions());
  return (
    <HydrateClient>
      <RolesConsole />
    </HydrateClient>
  );
}
