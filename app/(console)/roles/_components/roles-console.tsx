"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, useListState, type DataColumn } from "../../_components/data-table";
import { FilterBar, NoMatches } from "../../_components/filters";
import { Badge, Button, Dialog, EmptyState, PageHeader, Panel } from "../../_components/ui";
import { rolesListInput, rolesParams } from "./queries";
import { RoleEditor } from "./role-editor";

type RoleListItem = inferRouterOutputs<AppRouter>["roles"]["list"][number];

export function RolesConsole() {
  const trpc = useTRPC();
  // Whether the caller may create roles, and which permissions a new role may carry: the server's answer.
  const options = useQuery(trpc.roles.permissionOptions.queryOptions());
  const list = useListState(rolesParams);
  const { state } = list;
  const [creating, setCreating] = useState(false);
  const clearSearch = () => list.change({ q: null });
  // Roles are one page (there are few): the table reads them as a page without a next one.
  const roles = useQuery({
    ...trpc.roles.list.queryOptions(rolesListInput(state)),
    placeholderData: keepPreviousData,
    select: (items) => ({ items, nextCursor: null }),
  });

  return (
    <>
      <PageHeader
        title="Roles"
        description="A role is a set of permissions; assigning it to a user in a domain, or in all domains, grants them there."
        actions={
          options.data?.can.create ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New role
            </Button>
          ) : null
        }
      />
      <Panel>
        <FilterBar
          searchLabel="Search roles"
          searchPlaceholder="Name or description"
          search={state.q}
          onSearch={(q) => list.change({ q: q || null })}
          filtered={state.q !== ""}
          onClear={clearSearch}
        />
        <DataTable
          query={roles}
          list={list}
          what="roles"
          empty={state.q ? <NoMatches what="roles" hint="Try part of another name or description." onClear={clearSearch} /> : <EmptyState title="No roles yet" />}
          caption="Roles"
          getRowId={(role) => role.id}
          rowClassName="hover:bg-slate-50"
          columns={ROLE_COLUMNS}
        />
      </Panel>
      <Dialog open={creating} onClose={() => setCreating(false)} title="New role">
        {options.data ? (
          <RoleEditor
            mode="create"
            permissionOptions={options.data.permissions}
            onSaved={() => setCreating(false)}
            onCancel={() => setCreating(false)}
          />
        ) : null}
      </Dialog>
    </>
  );
}

const ROLE_COLUMNS: Array<DataColumn<RoleListItem>> = [
  {
    id: "name",
    header: "Name",
    enableSorting: true,
    enableHiding: false,
    meta: { key: true, className: "whitespace-nowrap" },
    cell: ({ row: { original: role } }) => (
      <>
        <Link href={`/roles/${encodeURIComponent(role.id)}`} className="font-medium text-brand-600 hover:underline">
          {role.name}
        </Link>
        {role.builtIn ? (
          <span className="ml-2">
            <Badge tone="brand">Built-in</Badge>
          </span>
        ) : null}
        {role.requiresMfa ? (
          <span className="ml-2">
            <Badge tone="green">Requires MFA</Badge>
          </span>
        ) : null}
      </>
    ),
  },
  {
    id: "description",
    header: "Description",
    meta: { className: "text-slate-600" },
    cell: ({ row }) => row.original.description || <span className="text-slate-400">—</span>,
  },
  {
    id: "permissions",
    header: "Permissions",
    meta: { headerClassName: "text-right", className: "text-right text-slate-700 tabular-nums" },
    cell: ({ row }) => row.original.permissions.length,
  },
  {
    id: "assignments",
    header: "Assignments",
    meta: { headerClassName: "text-right", className: "text-right text-slate-700 tabular-nums" },
    cell: ({ row }) => row.original.assignmentCount,
  },
];
