"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DetailList, Section } from "../../_components/ui";

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
    ["Name", me.data.name],
    ["Email", me.data.email],
    ["User ID", me.data.id],
    ["Role", me.data.isOwner ? "Owner" : "Member"],
  ];
  return (
    <Section title="Profile" card>
      <DetailList rows={rows} />
    </Section>
  );
}
