import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { REQUEST_PATH_HEADER } from "@/server/shared/request-path";
import { createPageContext } from "@/server/pages";
import { appRouter, createCaller } from "@/server/trpc/root";
import { makeQueryClient } from "./query-client";

/**
 * A page renders alongside its layout, so its own calls must not fail with "MFA enrolment
 * required" before the layout's redirect lands: they redirect to enrolment the same way.
 */
const createContext = cache(async () => {
  const requestHeaders = await headers();
  return createPageContext(requestHeaders, requestHeaders.get(REQUEST_PATH_HEADER) ?? "/");
});

export const getQueryClient = cache(makeQueryClient);

/** Server components prefetch through the same router and middleware as the browser. */
export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

export const caller = async () => createCaller(await createContext());

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}

/**
 * The console pages the caller may open (me.console): the shell's navigation and each page's "no
 * access" panel read this one server answer, fetched once per request.
 */
export function consolePages() {
  return getQueryClient().fetchQuery(trpc.me.console.queryOptions());
}

/** Whether the server lists the page at `href` among those the caller may open. */
export async function mayOpenPage(href: string): Promise<boolean> {
  return (await consolePages()).some((page) => page.href === href);
}
