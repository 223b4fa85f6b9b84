"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";

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
    <section aria-labelledby="profile-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 id="profile-heading" className="border-b border-slate-200 px-5 py-3 text-sm font-semibold">
        Profile
      </h2>
      <dl className="divide-y divide-slate-100">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-3 gap-4 px-5 py-3 text-sm">
            <dt className="text-slate-500">{label}</dt>
            <dd className="col-span-2 break-all font-medium">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
