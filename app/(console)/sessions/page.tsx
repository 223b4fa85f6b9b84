import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { NoAccess } from "../_components/ui";
import {
  CLIENT_OPTIONS_INPUT,
  grantsInput,
  loadBrowserSessionsParams,
  loadGrantsParams,
  loadSessionsFilters,
  sessionsInput,
} from "./_components/queries";
import { SessionsConsole } from "./_components/sessions-console";

export const metadata: Metadata = { title: "Sessions & tokens" };

/** The server refused the caller (as opposed to failing): the page shows what they lack instead. */
function refused(error: unknown): boolean {
  return error instanceof TRPCError && error.code === "FORBIDDEN";
}

export default async function SessionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const queryClient = getQueryClient();
  // The URL holds the filters and both lists' order and page; /sessions?clientId=… opens the grants
  // of one client, e.g. from the client's page. A user given by email is looked up in the browser.
  const [filters, grantsState, sessionsState] = await Promise.all([
    loadSessionsFilters(searchParams),
    loadGrantsParams(searchParams),
    loadBrowserSessionsParams(searchParams),
  ]);
  const userId = filters.user.includes("@") ? "" : filters.user;
  // Whoever may not list grants (tokens:read) is told so by the server's refusal, not by a rule of the page's own.
  const grants = await queryClient
    .fetchQuery(trpc.grants.list.queryOptions(grantsInput({ userId, clientId: filters.clientId }, grantsState)))
    .then(() => "listed" as const, (error: unknown) => (refused(error) ? ("refused" as const) : ("failed" as const)));
  if (grants === "refused") {
    return <NoAccess title="Sessions & tokens" subject="sessions and tokens" permission="tokens:read" />;
  }
  const [, clients] = await Promise.all([
    queryClient.prefetchQuery(trpc.sessions.list.queryOptions(sessionsInput(userId, sessionsState))),
    // Without clients:read the Client filter takes a typed ID; any other failure still offers the list, which retries.
    queryClient.fetchQuery(trpc.clients.list.queryOptions(CLIENT_OPTIONS_INPUT)).then(
      () => "listed" as const,
      (error: unknown) => (refused(error) ? ("refused" as const) : ("failed" as const)),
    ),
  ]);
  return (
    <HydrateClient>
      <SessionsConsole canPickClient={clients !== "refused"} />
    </HydrateClient>
  );
}
