import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { holdsAnywhere } from "@/app/_lib/held-permissions";
import { NoAccess } from "@/app/(console)/_components/ui";
import { RolesConsole } from "./_components/roles-console";

export const metadata: Metadata = { title: "Roles" };

export default async function RolesPage() {
  await requireSession();
  const queryClient = getQueryClient();
  // Fetched into the query cache, so the browser's usePermissions starts with it.
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "roles:read")) return <NoAccess title="Roles" subject="roles" permission="roles:read" />;
  await queryClient.prefetchQuery(trpc.roles.list.queryOptions());
  return (
    <HydrateClient>
      <RolesConsole />
    </HydrateClient>
  );
}
