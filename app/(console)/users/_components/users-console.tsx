"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import {
  Badge,
  Button,
  EmptyState,
  ErrorState,
  LoadingState,
  PageHeader,
  Pager,
  Panel,
  SearchField,
  SelectField,
  useCursorPages,
  LocalTime,
} from "../../_components/ui";
import { NewUserDialog, type NewUserMode } from "./new-user-dialog";
import { usersListInput, type UserFilters } from "./queries";
import { mfaMethodsLabel, scopeLabel, type UserListItem } from "./shared";
import { UserDrawer, type DrawerState } from "./user-drawer";

export function UsersConsole({ initialFilters }: { initialFilters: Pick<UserFilters, "domainId" | "roleId"> }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<UserFilters>({ search: "", ...initialFilters });
  // Bumped to clear the search box, which keeps its own text.
  const [searchKey, setSearchKey] = useState(0);
  const pages = useCursorPages();
  const [creating, setCreating] = useState<NewUserMode | null>(null);
  const [viewing, setViewing] = useState<DrawerState | null>(null);

  // What the caller may filter by and add, decided by the server (prefetched by the page).
  const options = useQuery(trpc.users.options.queryOptions());
  const users = useQuery({
    ...trpc.users.list.queryOptions(usersListInput(filters, pages.cursor)),
    placeholderData: keepPreviousData,
  });

  function changeFilters(next: Partial<UserFilters>) {
    setFilters((current) => ({ ...current, ...next }));
    pages.reset();
  }

  const filtered = filters.search !== "" || filters.domainId !== "" || filters.roleId !== "";
  function clearFilters() {
    changeFilters({ search: "", domainId: "", roleId: "" });
    setSearchKey((key) => key + 1);
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
        <div className="flex flex-wrap items-end gap-4 border-b border-slate-200 px-4 py-4">
          <div className="min-w-64 flex-1">
            <SearchField
              key={searchKey}
              label="Search users"
              placeholder="Email or name"
              onSearch={(search) => {
                if (search !== filters.search) changeFilters({ search });
              }}
            />
          </div>
          {filterDomains ? (
            <div className="w-52">
              <SelectField label="Domain" value={filters.domainId} onChange={(event) => changeFilters({ domainId: event.target.value })}>
                <option value="">Any domain</option>
                {filterDomains.map((domain) => (
                  <option key={domain.id} value={domain.id}>
                    {domain.name}
                  </option>
                ))}
              </SelectField>
            </div>
          ) : null}
          {filterRoles ? (
            <div className="w-52">
              <SelectField label="Role" value={filters.roleId} onChange={(event) => changeFilters({ roleId: event.target.value })}>
                <option value="">Any role</option>
                {filterRoles.map((role) => (
                  <option key={role.id} value={role.id}>
                    {role.name}
                  </option>
                ))}
              </SelectField>
            </div>
          ) : null}
          {filtered ? (
            <Button variant="ghost" onClick={clearFilters}>
              Clear filters
            </Button>
          ) : null}
        </div>
        <UsersTable
          query={users}
          filtered={filtered}
          pageNumber={pages.pageNumber}
          canCreate={canCreate || canInvite}
          onView={(user) =>
            setViewing((current) => ({
              target: { id: user.id, email: user.email },
              open: true,
              opening: (current?.opening ?? 0) + 1,
            }))
          }
          onClearFilters={clearFilters}
          onFirstPage={pages.reset}
        />
        {users.data && (pages.pageNumber > 1 || users.data.nextCursor) ? (
          <Pager
            label="Users pages"
            pageNumber={pages.pageNumber}
            hasNext={!!users.data.nextCursor && !users.isPlaceholderData}
            onNext={() => users.data?.nextCursor && pages.next(users.data.nextCursor)}
            onPrevious={pages.previous}
          />
        ) : null}
      </Panel>
      <NewUserDialog mode={creating} onClose={() => setCreating(null)} options={options.data ?? null} />
      <UserDrawer state={viewing} onClose={() => setViewing((current) => (current ? { ...current, open: false } : null))} />
    </>
  );
}

function UsersTable({
  query,
  filtered,
  pageNumber,
  canCreate,
  onView,
  onClearFilters,
  onFirstPage,
}: {
  query: {
    isPending: boolean;
    isError: boolean;
    isPlaceholderData: boolean;
    error: { message: string } | null;
    data?: { items: UserListItem[] } | undefined;
    refetch: () => unknown;
  };
  filtered: boolean;
  pageNumber: number;
  canCreate: boolean;
  onView: (user: UserListItem) => void;
  onClearFilters: () => void;
  onFirstPage: () => void;
}) {
  if (query.isPending) return <LoadingState label="Loading users" />;
  if (query.isError || !query.data) {
    return <ErrorState message={`Users could not be loaded: ${query.error?.message ?? "unknown error"}`} onRetry={() => void query.refetch()} />;
  }
  const items = query.data.items;
  if (items.length === 0) {
    if (pageNumber > 1) {
      return (
        <EmptyState title="No more users on this page">
          <Button className="mt-3" onClick={onFirstPage}>
            Back to the first page
          </Button>
        </EmptyState>
      );
    }
    if (filtered) {
      return (
        <EmptyState title="No users match these filters">
          <p>Try another search, domain or role.</p>
          <Button className="mt-3" onClick={onClearFilters}>
            Clear filters
          </Button>
        </EmptyState>
      );
    }
    return (
      <EmptyState title="No users yet">
        {canCreate ? "Create a user or invite someone to get started." : "Users you can see will be listed here."}
      </EmptyState>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-busy={query.isPlaceholderData || undefined}>
        <caption className="sr-only">Users</caption>
        <thead className="border-b border-slate-200 text-xs font-medium tracking-wide text-slate-500 uppercase">
          <tr>
            <th scope="col" className="px-4 py-3">
              Email
            </th>
            <th scope="col" className="px-4 py-3">
              Name
            </th>
            <th scope="col" className="px-4 py-3">
              Roles
            </th>
            <th scope="col" className="px-4 py-3">
              Status
            </th>
            <th scope="col" className="px-4 py-3">
              MFA
            </th>
            <th scope="col" className="px-4 py-3">
              Created
            </th>
            <th scope="col" className="px-4 py-3">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className={`divide-y divide-slate-100 ${query.isPlaceholderData ? "opacity-60" : ""}`}>
          {items.map((user) => (
            <tr key={user.id} onClick={() => onView(user)} className="cursor-pointer hover:bg-slate-50">
              <td className="px-4 py-3 font-medium break-all text-slate-900">{user.email}</td>
              <td className="px-4 py-3 text-slate-700">{user.name}</td>
              <td className="px-4 py-3">
                {user.roles.length === 0 ? (
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
                )}
              </td>
              <td className="px-4 py-3">{user.banned ? <Badge tone="red">Banned</Badge> : <Badge tone="green">Active</Badge>}</td>
              <td className="px-4 py-3 whitespace-nowrap">
                {user.mfa.enrolled ? <Badge tone="green">{mfaMethodsLabel(user.mfa)}</Badge> : <Badge>None</Badge>}
              </td>
              <td className="px-4 py-3 whitespace-nowrap text-slate-600">
                <LocalTime value={user.createdAt} />
              </td>
              <td className="px-4 py-3 text-right">
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
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
