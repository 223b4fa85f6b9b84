"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ChoiceFilter, FilterBar, NoMatches, byName, useListFilters } from "../../_components/filters";
import { ACTIONS_HEADER, PagedList, type Column } from "../../_components/list";
import { Badge, Button, EmptyState, LocalTime, PageHeader, Panel, StatusBadge } from "../../_components/ui";
import { NewUserDialog, type NewUserMode } from "./new-user-dialog";
import { usersListInput, type UserFilters } from "./queries";
import { mfaMethodsLabel, scopeLabel, type UserListItem } from "./shared";
import { UserDrawer, type DrawerState } from "./user-drawer";

export function UsersConsole({ initialFilters }: { initialFilters: Pick<UserFilters, "domainId" | "roleId"> }) {
  const trpc = useTRPC();
  const { filters, pages, changeFilters, searchKey, filtered, clearFilters } = useListFilters<UserFilters>(
    { search: "", ...initialFilters },
    { search: "", domainId: "", roleId: "" },
  );
  const [creating, setCreating] = useState<NewUserMode | null>(null);
  const [viewing, setViewing] = useState<DrawerState | null>(null);

  // What the caller may filter by and add, decided by the server (prefetched by the page).
  const options = useQuery(trpc.users.options.queryOptions());
  const users = useQuery({
    ...trpc.users.list.queryOptions(usersListInput(filters, pages.cursor)),
    placeholderData: keepPreviousData,
  });

  function view(user: UserListItem) {
    setViewing((current) => ({
      target: { id: user.id, email: user.email },
      open: true,
      opening: (current?.opening ?? 0) + 1,
    }));
  }

  const filterDomains = options.data?.filters.domains ?? null;
  const filterRoles = options.data?.filters.roles ?? null;
  const canCreate = options.data?.can.create ?? false;
  const canInvite = options.data?.can.invite ?? false;

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
          searchKey={searchKey}
          searchLabel="Search users"
          searchPlaceholder="Email or name"
          search={filters.search}
          onSearch={(search) => changeFilters({ search })}
          filtered={filtered}
          onClear={clearFilters}
        >
          {filterDomains ? (
            <ChoiceFilter
              label="Domain"
              value={filters.domainId}
              onChange={(domainId) => changeFilters({ domainId })}
              anyLabel="Any domain"
              choices={byName(filterDomains)}
            />
          ) : null}
          {filterRoles ? (
            <ChoiceFilter
              label="Role"
              value={filters.roleId}
              onChange={(roleId) => changeFilters({ roleId })}
              anyLabel="Any role"
              choices={byName(filterRoles)}
            />
          ) : null}
        </FilterBar>
        <PagedList
          query={users}
          pages={pages}
          what="users"
          failed="Users could not be loaded"
          empty={
            filtered ? (
              <NoMatches what="users" hint="Try another search, domain or role." onClear={clearFilters} />
            ) : (
              <EmptyState title="No users yet">
                {canCreate || canInvite ? "Create a user or invite someone to get started." : "Users you can see will be listed here."}
              </EmptyState>
            )
          }
          caption="Users"
          rowKey={(user) => user.id}
          onRowClick={view}
          rowClassName="cursor-pointer hover:bg-slate-50"
          columns={userColumns(view)}
        />
      </Panel>
      <NewUserDialog mode={creating} onClose={() => setCreating(null)} options={options.data ?? null} />
      <UserDrawer state={viewing} onClose={() => setViewing((current) => (current ? { ...current, open: false } : null))} />
    </>
  );
}

/** A row opens the user's drawer, and so does its View button, for keyboard users. */
function userColumns(onView: (user: UserListItem) => void): Array<Column<UserListItem>> {
  return [
    { header: "Email", className: "font-medium break-all text-slate-900", cell: (user) => user.email },
    { header: "Name", className: "text-slate-700", cell: (user) => user.name },
    {
      header: "Roles",
      cell: (user) =>
        user.roles.length === 0 ? (
          <span className="text-slate-400">None visible</span>
        ) : (
          <ul className="flex flex-wrap gap-1">
            {user.roles.map((role) => (
              <li key={`${role.roleId}:${role.domainId ?? "global"}`}>
                <Badge tone={role.domainId === null ? "brand" : "slate"}>
                  {role.roleName} · {scopeLabel(role.domainName)}
                </Badge>
              </li>
            ))}
          </ul>
        ),
    },
    { header: "Status", cell: (user) => <StatusBadge banned={user.banned} /> },
    {
      header: "MFA",
      className: "whitespace-nowrap",
      cell: (user) => (user.mfa.enrolled ? <Badge tone="green">{mfaMethodsLabel(user.mfa)}</Badge> : <Badge>None</Badge>),
    },
    { header: "Created", className: "whitespace-nowrap text-slate-600", cell: (user) => <LocalTime value={user.createdAt} /> },
    {
      header: ACTIONS_HEADER,
      className: "text-right",
      cell: (user) => (
        <Button
          variant="ghost"
          aria-label={`View ${user.email}`}
          onClick={(event) => {
            event.stopPropagation();
            onView(user);
          }}
        >
          View
        </Button>
      ),
    },
  ];
}
