import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { AccountDetails } from "./_components/account-details";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  await getQueryClient().prefetchQuery(trpc.me.get.queryOptions());
  return (
    <div className="max-w-2xl space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Account</h1>
      <HydrateClient>
        <AccountDetails />
      </HydrateClient>
    </div>
  );
}
