import type { Metadata } from "next";
import { holdsAnywhere } from "@/app/_lib/held-permissions";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { NoAccess } from "../_components/ui";
import { CLIENT_OPTIONS_INPUT, grantsInput, sessionsInput } from "./_components/queries";
import { SessionsConsole } from "./_components/sessions-console";

export const metadata: Metadata = { title: "Sessions & tokens" };

export default async function SessionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const queryClient = getQueryClient();
  // Fetched into the query cache, so the browser's usePermissions starts with it.
  const permissions = await queryClient.fetchQuery(trpc.me.permissions.queryOptions());
  if (!holdsAnywhere(permissions, "tokens:read")) {
    return <NoAccess title="Sessions & tokens" subject="sessions and tokens" permission="tokens:read" />;
  }
  // /sessions?clientId=… opens the grants of one client, e.g. from the client's page.
  const { clientId } = await searchParams;
  const initialClientId = typeof clientId === "string" ? clientId.trim().slice(0, 200) : "";
  await Promise.all([
    queryClient.prefetchQuery(trpc.revocations.listGrants.queryOptions(grantsInput({ userId: "", clientId: initialClientId }))),
    queryClient.prefetchQuery(trpc.revocations.listSessions.queryOptions(sessionsInput(""))),
    holdsAnywhere(permissions, "clients:read")
      ? queryClient.prefetchQuery(trpc.clients.list.queryOptions(CLIENT_OPTIONS_INPUT))
      : undefined,
  ]);
  return (
    <HydrateClient>
      <SessionsConsole initialClientId={initialClientId} />
    </HydrateClient>
  );
}
