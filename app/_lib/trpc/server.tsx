import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { getAuth } from "@/server/auth/instance";
import { getAppDatabase } from "@/server/db";
import { createTRPCContext } from "@/server/trpc/context";
import { appRouter, createCaller } from "@/server/trpc/root";
import { makeQueryClient } from "./query-client";

const createContext = cache(async () =>
  createTRPCContext({ db: getAppDatabase().db, auth: await getAuth(), headers: await headers() }),
);

export const getQueryClient = cache(makeQueryClient);

/** Server components prefetch through the same router and middleware as the browser. */
export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

export const caller = async () => createCaller(await createContext());

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
