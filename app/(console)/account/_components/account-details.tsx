"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DetailList, Section } from "../../_components/ui";
import { AccountEmailForm } from "./account-email-form";
import { AccountNameForm } from "./account-name-form";
import { AccountPasswordForm } from "./account-password-form";

/** Account > Profile: the person's name and email, each changeable here, and their password. */
export function AccountDetails() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());

  if (me.isPending) {
    return <p className="text-sm text-slate-500" role="status">Loading your profile…</p>;
  }
  if (me.isError) {
    return (
      <p role="alert" className="text-sm text-red-600">
        Your profile could not be loaded: {me.error.message}
      </p>
    );
  }
  const rows: Array<[string, string]> = [
    ["User ID", me.data.id],
    ["Role", me.data.isOwner ? "Owner" : "Member"],
  ];
  return (
    <>
      <Section title="Profile" card>
        <div className="divide-y divide-slate-200">
          <AccountNameForm name={me.data.name} />
          <AccountEmailForm email={me.data.email} />
          <DetailList rows={rows} />
        </div>
      </Section>
      <AccountPasswordForm />
    </>
  );
}
