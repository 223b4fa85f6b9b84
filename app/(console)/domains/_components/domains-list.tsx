"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState } from "react";
import { DataTable, useListState, type DataColumn } from "@/app/(console)/_components/data-table";
import { sortableTimeColumn } from "@/app/(console)/_components/columns";
import { FilterBar, NoMatches } from "@/app/(console)/_components/filters";
import { Badge, Button, EmptyState, PageHeader, Panel } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { CreateDomainDialog } from "./create-domain-dialog";
import { MFA_POLICY_LABELS, type MfaPolicy } from "./domain-fields";
import { domainsListInput, domainsParams } from "./queries";

type DomainListItem = inferRouterOutputs<AppRouter>["domains"]["list"]["items"][number];

const MFA_TONES = { off: "amber", optional: "slate", required: "green" } as const;

function MfaPolicyBadge({ policy }: { policy: MfaPolicy }) {
  return <Badge tone={MFA_TONES[policy]}>{MFA_POLICY_LABELS[policy]}</Badge>;
}

export function DomainsList() {
  const trpc = useTRPC();
  const list = useListState(domainsParams);
  const { state } = list;
  const [creating, setCreating] = useState(false);
  const clearSearch = () => list.change({ q: null });

  const domains = useQuery({ ...trpc.domains.list.queryOptions(domainsListInput(state)), placeholderData: keepPreviousData });
  // What the caller may do is the server's answer, carried by the list itself.
  const can = domains.data?.can ?? { create: false, createWithPolicy: false };

  return (
    <>
      <PageHeader
        title="Domains"
        description="Tenants: each has its own members, joining email domains and MFA policy."
        actions={
          can.create ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New domain
            </Button>
          ) : null
        }
      />
      <Panel className="overflow-hidden">
        <FilterBar
          searchLabel="Search domains"
          searchPlaceholder="Name or slug"
          search={state.q}
          onSearch={(q) => list.change({ q: q || null })}
          filtered={state.q !== ""}
          onClear={clearSearch}
        />
        <DataTable
          query={domains}
          list={list}
          defaultSort={{ by: "slug", direction: "asc" }}
          what="domains"
          empty={
            state.q ? (
              <NoMatches what="domains" hint="Try part of another name or slug." onClear={clearSearch} />
            ) : (
              <EmptyState title="No domains yet">
                {can.create
                  ? "Create a domain to give a team or customer its own members and policies."
                  : "There are no domains you can see."}
              </EmptyState>
            )
          }
          caption="Domains"
          getRowId={(domain) => domain.id}
          rowClassName="hover:bg-slate-50"
          columns={DOMAIN_COLUMNS}
        />
      </Panel>
      <CreateDomainDialog open={creating} onClose={() => setCreating(false)} canAdmin={can.createWithPolicy} />
    </>
  );
}

const DOMAIN_COLUMNS: Array<DataColumn<DomainListItem>> = [
  {
    id: "name",
    header: "Name",
    enableSorting: true,
    enableHiding: false,
    meta: { key: true, className: "font-medium" },
    cell: ({ row: { original: domain } }) => (
      <Link href={`/domains/${domain.id}`} className="text-brand-600 hover:underline">
        {domain.name}
      </Link>
    ),
  },
  { id: "slug", header: "Slug", enableSorting: true, meta: { className: "font-mono text-xs text-slate-600" }, cell: ({ row }) => row.original.slug },
  {
    id: "emailDomains",
    header: "Email domains",
    meta: { className: "text-slate-600" },
    cell: ({ row: { original: domain } }) =>
      domain.emailDomains.length > 0 ? domain.emailDomains.join(", ") : <span className="text-slate-400">None</span>,
  },
  { id: "mfaPolicy", header: "MFA policy", cell: ({ row }) => <MfaPolicyBadge policy={row.original.mfaPolicy} /> },
  {
    id: "members",
    header: "Members",
    meta: { headerClassName: "text-right", className: "text-right tabular-nums" },
    cell: ({ row }) => row.original.memberCount,
  },
  sortableTimeColumn("createdAt", "Created", (domain) => domain.createdAt),
];
