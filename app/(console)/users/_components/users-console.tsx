"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DataTable, useListState, type DataColumn } from "../../_components/data-table";
import { ChoiceFilter, FilterBar, NoMatches, byName } from "../../_components/filters";
import { Badge, Button, EmptyState, LocalTime, PageHeader, Panel, StatusBadge } from "../../_components/ui";
import { useInvalidate } from "../../_components/use-invalidate";
import { NewUserDialog, type NewUserMode } from "./new-user-dialog";
import { usersListInput, usersParams } from "./queries";
import { mfaMethodsLabel, scopeLabel, type UserListItem } from "./shared";
import { UserDrawer, type DrawerTarget } from "./user-drawer";

export function UsersConsole() {
  const trpc = useTRPC();
  const list = useListState(usersParams);
  const { state } = list;
  const [creating, setCreating] = useState<NewUserMode | null>(null);
  // The open drawer is in the URL (?user=<id>); `opening` remounts it for each opening, and the last
  // target stays while it closes so that the dialog gives focus back before it is replaced.
  const [opening, setOpening] = useState(0);
  const [lastTarget, setLastTarget] = useState<DrawerTarget | null>(null);

  // What the caller may filter by and add, decided by the server (prefetched by the page).
  const options = useQuery(trpc.users.options.queryOptions());
  const users = useQuery({ ...trpc.users.list.queryOptions(usersListInput(state)), placeholderData: keepPreviousData });
  const invalidate = useInvalidate();
  const banMany = useMutation(trpc.users.banMany.mutationOptions({ onSuccess: () => invalidate(trpc.users.pathKey()) }));

  function view(user: UserListItem) {
    setLastTarget({ id: user.id, email: user.email });
    setOpening((count) => count + 1);
    list.set({ user: user.id });
  }

  const openId = state.user || null;
  const shownTarget: DrawerTarget | null = openId
    ? lastTarget?.id === openId
      ? lastTarget
      : { id: openId, email: users.data?.items.find((user) => user.id === openId)?.email ?? "User" }
    : lastTarget;

  const filterDomains = options.data?.filters.domains ?? null;
  const filterRoles = options.data?.filters.roles ?? null;
  const canCreate = options.data?.can.create ?? false;
  const canInvite = options.data?.can.invite ?? false;
  const filtered = state.q !== "" || state.domain !== "" || state.role !== "";
  const clearFilters = () => list.change({ q: null, domain: null, role: null });

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in, with the roles they hold in the domains you can see."
        actions={
          canCreate || canInvite ? (
            <>
              {canInvite ? <Button onClick={() => setCreating("invite")}>Invite user</Button> : null}
              {canCreate ? (
                <Button variant="primary" onClick={() => setCreating("create")}>
                  Create user
                </Button>
              ) : null}
            </>
          ) : null
        }
      />
      <Panel>
        <FilterBar
          searchLabel="Search users"
          searchPlaceholder="Email or name"
          search={state.q}
          onSearch={(q) => list.change({ q: q || null })}
          filtered={filtered}
          onClear={clearFilters}
        >
          {filterDomains ? (
            <ChoiceFilter
              label="Domain"
              value={state.domain}
              onChange={(domain) => list.change({ domain: domain || null })}
              anyLabel="Any domain"
              choices={byName(filterDomains)}
            />
          ) : null}
          {filterRoles ? (
            <ChoiceFilter
              label="Role"
              value={state.role}
              onChange={(role) => list.change({ role: role || null })}
              anyLabel="Any role"
              choices={byName(filterRoles)}
            />
          ) : null}
        </FilterBar>
        <DataTable
          caption="Users"
          what="users"
          failed="Users could not be loaded"
          query={users}
          list={list}
          defaultSort={{ by: "email", direction: "asc" }}
          getRowId={(user) => user.id}
          onRowClick={view}
          rowClassName="cursor-pointer hover:bg-slate-50"
          columns={userColumns(view)}
          bulk={{
            verb: "Disable",
            noun: ["user", "users"],
            // As the drawer offers Ban: allowed by the server, and not banned already (a second ban is refused).
            allows: (user) => user.can.ban && !user.banned,
            name: (user) => user.email,
            consequence: "Each account is signed out everywhere, its OAuth grants are revoked, and it cannot sign in until it is enabled again.",
            pending: banMany.isPending,
            error: banMany.error?.message,
            run: (rows) => banMany.mutateAsync({ ids: rows.map((user) => user.id) }),
          }}
          empty={
            filtered ? (
              <NoMatches what="users" hint="Try another search, domain or role." onClear={clearFilters} />
            ) : (
              <EmptyState title="No users yet">
                {canCreate || canInvite ? "Create a user or invite someone to get started." : "Users you can see will be listed here."}
              </EmptyState>
            )
          }
        />
      </Panel>
      <NewUserDialog mode={creating} onClose={() => setCreating(null)} options={options.data ?? null} />
      <UserDrawer
        state={shownTarget ? { target: shownTarget, open: openId !== null, opening } : null}
        onClose={() => list.set({ user: null })}
      />
    </>
  );
}

/** A row opens the user's drawer, and so does its View button, for keyboard users. */
function userColumns(onView: (user: UserListItem) => void): Array<DataColumn<UserListItem>> {
  return [
    {
      id: "email",
      header: "Email",
      enableSorting: true,
      enableHiding: false,
      meta: { key: true, className: "font-medium break-all text-slate-900" },
      cell: ({ row }) => row.original.email,
    },
    { id: "name", header: "Name", enableSorting: true, meta: { className: "text-slate-700" }, cell: ({ row }) => row.original.name },
    {
      id: "roles",
      header: "Roles",
      enableSorting: false,
      cell: ({ row }) =>
        row.original.roles.length === 0 ? (
          <span className="text-slate-500">None visible</span>
        ) : (
          <ul className="flex flex-wrap gap-1">
            {row.original.roles.map((role) => (
              <li key={`${role.roleId}:${role.domainId ?? "global"}`}>
                <Badge tone={role.domainId === null ? "brand" : "slate"}>
                  {role.roleName} · {scopeLabel(role.domainName)}
                </Badge>
              </li>
            ))}
          </ul>
        ),
    },
    { id: "status", header: "Status", enableSorting: false, cell: ({ row }) => <StatusBadge banned={row.original.banned} /> },
    {
      id: "mfa",
      header: "MFA",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => (row.original.mfa.enrolled ? <Badge tone="green">{mfaMethodsLabel(row.original.mfa)}</Badge> : <Badge>None</Badge>),
    },
    {
      id: "lastSignIn",
      header: "Last sign-in",
      enableSorting: true,
      meta: { className: "whitespace-nowrap text-slate-600" },
      cell: ({ row }) => (row.original.lastSignInAt ? <LocalTime value={row.original.lastSignInAt} /> : <span className="text-slate-500">Never</span>),
    },
    {
      id: "createdAt",
      header: "Created",
      enableSorting: true,
      meta: { className: "whitespace-nowrap text-slate-600" },
      cell: ({ row }) => <LocalTime value={row.original.createdAt} />,
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      enableHiding: false,
      meta: { className: "text-right" },
      cell: ({ row }) => (
        <Button
          variant="ghost"
          aria-label={`View ${row.original.email}`}
          onClick={(event) => {
            event.stopPropagation();
            onView(row.original);
          }}
        >
          View
        </Button>
      ),
    },
  ];
}
