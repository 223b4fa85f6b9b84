import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { NoAccess } from "../_components/ui";
import { usersListInput } from "./_components/queries";
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
  // The page's choices come from the server, which also says whether the caller may see users at all.
  try {
    await queryClient.fetchQuery(trpc.users.options.queryOptions());
  } catch (error) {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") {
      return <NoAccess title="Users" subject="users" permission="users:read" />;
    }
    throw error;
  }

  // /users?role=…&domain=… opens the list filtered, e.g. from a role's page.
  const params = await searchParams;
  const initialFilters = { domainId: single(params.domain), roleId: single(params.role) };
  await queryClient.prefetchQuery(trpc.users.list.queryOptions(usersListInput({ search: "", ...initialFilters })));
  return (
    <HydrateClient>
      <UsersConsole initialFilters={initialFilters} />
    </HydrateClient>
  );
}
