import type { Metadata } from "next";
import { invitationUsable } from "@/server/pages";
import { InviteForm } from "./_components/invite-form";

export const metadata: Metadata = {
  title: "Accept your invitation",
  robots: { index: false },
  // The token is in this page's URL: never hand it to another site in a Referer header.
  referrer: "no-referrer",
};

export default async function InvitePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const usable = typeof token === "string" && token.length > 0 && (await invitationUsable(token));
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Accept your invitation</h1>
      {usable ? (
        <>
          <p className="text-sm text-slate-600">Choose a password to finish setting up your account. This link works once.</p>
          <InviteForm token={token} />
        </>
      ) : (
        <p role="alert" className="text-sm text-slate-600">
          This invitation link is invalid, used or expired. Ask your administrator for a new one.
        </p>
      )}
    </div>
  );
}
