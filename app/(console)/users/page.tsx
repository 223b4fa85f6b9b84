import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { NoAccess } from "../_components/ui";
import { holdsAnywhere } from "@/app/_lib/held-permissions";
import { DOMAIN_OPTIONS_INPUT, usersListInput } from "./_components/queries";
import { UsersConsole } from "./_components/users-console";

export const metadata: Metadata = { title: "Users" };

function single(value: string | string[] | undefined): string {
  return typeof value === "string" ? value : "";
}

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireSession();
  const queryClient = getQueryClient();
  // Fetched into the query cache, so the browser's usePermissions starts with it.
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "users:read")) {
    return <NoAccess title="Users" subject="users" permission="users:read" />;
  }

  // /users?role=…&domain=… opens the list filtered, e.g. from a role's page.
  const params = await searchParams;
  const initialFilters = { domainId: single(params.domain), roleId: single(params.role) };
  await Promise.all([
    queryClient.prefetchQuery(trpc.users.list.queryOptions(usersListInput({ search: "", ...initialFilters }))),
    queryClient.prefetchQuery(trpc.me.get.queryOptions()),
    holdsAnywhere(permissions, "domains:read")
      ? queryClient.prefetchQuery(trpc.domains.list.queryOptions(DOMAIN_OPTIONS_INPUT))
      : undefined,
    holdsAnywhere(permissions, "roles:read") ? queryClient.prefetchQuery(trpc.roles.list.queryOptions()) : undefined,
  ]);
  return (
    <HydrateClient>
      <UsersConsole initialFilters={initialFilters} />
    </HydrateClient>
  );
}
