"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Badge, Button, Dialog, EmptyState, ErrorState, LoadingState, PageHeader, Panel, SearchField } from "../../_components/ui";
import { ListTable } from "../../_components/list";
import { RoleEditor } from "./role-editor";

export function RolesConsole() {
  const trpc = useTRPC();
  // Whether the caller may create roles, and which permissions a new role may carry: the server's answer.
  const options = useQuery(trpc.roles.permissionOptions.queryOptions());
  const [search, setSearch] = useState("");
  const [searchKey, setSearchKey] = useState(0);
  const [creating, setCreating] = useState(false);
  // No search is no input at all, the key the server page prefetched under.
  const roles = useQuery({
    ...trpc.roles.list.queryOptions(search ? { search } : undefined),
    placeholderData: keepPreviousData,
  });

  function clearSearch() {
    setSearch("");
    setSearchKey((key) => key + 1);
  }

  let content;
  if (roles.isPending) {
    content = <LoadingState label="Loading roles" />;
  } else if (roles.isError) {
    content = <ErrorState message={`Roles could not be loaded: ${roles.error.message}`} onRetry={() => void roles.refetch()} />;
  } else if (roles.data.length === 0) {
    content = search ? (
      <EmptyState title="No roles match this search">
        <Button className="mt-3" onClick={clearSearch}>
          Clear search
        </Button>
      </EmptyState>
    ) : (
      <EmptyState title="No roles yet" />
    );
  } else {
    content = (
      <ListTable
        caption="Roles"
        rows={roles.data}
        rowKey={(role) => role.id}
        busy={roles.isPlaceholderData}
        rowClassName="hover:bg-slate-50"
        columns={[
          {
            header: "Name",
            className: "whitespace-nowrap",
            cell: (role) => (
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
            header: "Description",
            className: "text-slate-600",
            cell: (role) => role.description || <span className="text-slate-400">—</span>,
          },
          {
            header: "Permissions",
            headerClassName: "text-right",
            className: "text-right text-slate-700 tabular-nums",
            cell: (role) => role.permissions.length,
          },
          {
            header: "Assignments",
            headerClassName: "text-right",
            className: "text-right text-slate-700 tabular-nums",
            cell: (role) => role.assignmentCount,
          },
        ]}
      />
    );
  }

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
        <div className="border-b border-slate-200 px-4 py-4">
          <div className="max-w-md">
            <SearchField
              key={searchKey}
              label="Search roles"
              placeholder="Name or description"
              onSearch={(value) => {
                if (value !== search) setSearch(value);
              }}
            />
          </div>
        </div>
        {content}
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
