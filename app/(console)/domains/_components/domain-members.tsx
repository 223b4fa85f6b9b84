"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { DataTable, useListState, type DataColumn } from "@/app/(console)/_components/data-table";
import { FilterBar, NoMatches } from "@/app/(console)/_components/filters";
import { Badge, EmptyState, Panel, StatusBadge } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { membersListInput, membersParams, membersUrlKeys } from "./queries";

type Member = inferRouterOutputs<AppRouter>["domains"]["members"]["items"][number];

export function DomainMembers({ domainId, domainName }: { domainId: string; domainName: string }) {
  const trpc = useTRPC();
  const list = useListState(membersParams, membersUrlKeys);
  const { state } = list;
  const clearSearch = () => list.change({ q: null });
  const members = useQuery({ ...trpc.domains.members.queryOptions(membersListInput(domainId, state)), placeholderData: keepPreviousData });

  return (
    <Panel className="overflow-hidden">
      <FilterBar
        searchLabel="Search members"
        searchPlaceholder="Email or name"
        search={state.q}
        onSearch={(q) => list.change({ q: q || null })}
        filtered={state.q !== ""}
        onClear={clearSearch}
      />
      <DataTable
        query={members}
        list={list}
        what="members"
        empty={
          state.q ? (
            <NoMatches what="members" hint="Try part of another email address or name." onClear={clearSearch} />
          ) : (
            <EmptyState title="No members yet">People join a domain when they are given a role in it.</EmptyState>
          )
        }
        caption={`Members of ${domainName}`}
        getRowId={(member) => member.id}
        columns={MEMBER_COLUMNS}
      />
    </Panel>
  );
}

const MEMBER_COLUMNS: Array<DataColumn<Member>> = [
  { id: "email", header: "Email", enableHiding: false, meta: { key: true, className: "font-medium break-all" }, cell: ({ row }) => row.original.email },
  { id: "name", header: "Name", meta: { className: "text-slate-700" }, cell: ({ row }) => row.original.name },
  {
    id: "roles",
    header: "Roles in this domain",
    cell: ({ row: { original: member } }) => (
      <ul className="flex flex-wrap gap-1" aria-label={`Roles of ${member.email} in this domain`}>
        {member.roles.map((role) => (
          <li key={role.roleId}>
            <Badge tone="brand">{role.roleName}</Badge>
          </li>
        ))}
      </ul>
    ),
  },
  { id: "status", header: "Status", cell: ({ row }) => <StatusBadge banned={row.original.banned} /> },
];
