import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "@/app/_lib/trpc/server";
import { AccountDetails } from "./_components/account-details";
import { AccountSessions } from "./_components/account-sessions";
import { ConnectedApps } from "./_components/connected-apps";
import { PasskeySettings } from "./_components/passkey-settings";
import { TwoFactorSettings } from "./_components/two-factor-settings";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(trpc.me.get.queryOptions()),
    queryClient.prefetchQuery(trpc.account.sessions.queryOptions()),
    queryClient.prefetchQuery(trpc.account.connectedApps.queryOptions()),
    queryClient.prefetchQuery(trpc.account.twoFactor.queryOptions()),
    queryClient.prefetchQuery(trpc.account.passkeys.queryOptions()),
  ]);
  return (
    <div className="max-w-2xl space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Account</h1>
      <HydrateClient>
        <AccountDetails />
        <TwoFactorSettings />
        <PasskeySettings />
        <AccountSessions />
        <ConnectedApps />
      </HydrateClient>
    </div>
  );
}
