"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DataTable, useListState } from "../../_components/data-table";
import { ChoiceFilter, FilterBar, NoMatches, byName, choicesOf } from "../../_components/filters";
import { Button, EmptyState, PageHeader, Panel } from "../../_components/ui";
import { useInvalidate } from "../../_components/use-invalidate";
import { NewUserDialog, type NewUserMode } from "./new-user-dialog";
import { usersListInput, usersParams } from "./queries";
import { useResendInvitation } from "./resend-invitation";
import type { UserListItem } from "./shared";
import { userColumns } from "./user-columns";
import { UserDrawer, type DrawerTarget } from "./user-drawer";

const MFA_CHOICES = choicesOf({ missing: "Second factor missing" });

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
  // The server counts on the first page only; later pages show the total of the first page of the same filters.
  const queryClient = useQueryClient();
  const total =
    users.data?.total ?? queryClient.getQueryData(trpc.users.list.queryKey(usersListInput({ ...state, pages: [] })))?.total;
  const usersWithTotal = { ...users, data: users.data && total !== undefined ? { ...users.data, total } : users.data };
  const invalidate = useInvalidate();
  const banMany = useMutation(trpc.users.banMany.mutationOptions({ onSuccess: () => invalidate(trpc.users.pathKey()) }));
  const resend = useResendInvitation();

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
  const filtered = state.q !== "" || state.domain !== "" || state.role !== "" || state.mfa !== null;
  const clearFilters = () => list.change({ q: null, domain: null, role: null, mfa: null });

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
          <ChoiceFilter
            label="Second factor"
            value={state.mfa ?? ""}
            onChange={(mfa) => list.change({ mfa: mfa === "missing" ? mfa : null })}
            anyLabel="Any"
            choices={MFA_CHOICES}
          />
        </FilterBar>
        <DataTable
          caption="Users"
          what="users"
          failed="Users could not be loaded"
          query={usersWithTotal}
          list={list}
          defaultSort={{ by: "email", direction: "asc" }}
          getRowId={(user) => user.id}
          onRowClick={view}
          rowClassName="cursor-pointer hover:bg-slate-50"
          columns={userColumns({ onView: view, onResend: resend.ask })}
          bulk={{
            verb: "Disable",
            done: "Disabled",
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
              <NoMatches what="users" hint="Try another search, domain, role or second-factor filter." onClear={clearFilters} />
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
      {resend.dialog}
    </>
  );
}
