import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { requireSession } from "@/server/auth/session";
import { NoAccess } from "../_components/ui";
import { loadUsersParams, usersListInput } from "./_components/queries";
import { UsersConsole } from "./_components/users-console";

export const metadata: Metadata = { title: "Users" };

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

  // The URL holds the list's filters, order and page (/users?role=…&domain=… comes from a role's page).
  const state = await loadUsersParams(searchParams);
  await queryClient.prefetchQuery(trpc.users.list.queryOptions(usersListInput(state)));
  return (
    <HydrateClient>
      <UsersConsole />
    </HydrateClient>
  );
}
