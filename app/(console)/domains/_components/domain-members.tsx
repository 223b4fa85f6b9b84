"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Badge, EmptyState, ErrorState, LoadingState, Pager, Panel, SearchField, useCursorPages } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";

export function DomainMembers({ domainId, domainName }: { domainId: string; domainName: string }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const pages = useCursorPages();
  const members = useQuery(
    trpc.domains.members.queryOptions(
      { id: domainId, search: search || undefined, cursor: pages.cursor },
      { placeholderData: keepPreviousData },
    ),
  );
  const nextCursor = members.data?.nextCursor ?? null;

  return (
    <>
      <div className="mb-3 max-w-sm">
        <SearchField
          label="Search members"
          placeholder="Email or name"
          onSearch={(value) => {
            if (value === search) return;
            setSearch(value);
            pages.reset();
          }}
        />
      </div>
      <Panel className="overflow-hidden">
        {members.isPending ? (
          <LoadingState label="Loading members…" />
        ) : members.isError ? (
          <ErrorState message={`The members could not be loaded: ${members.error.message}`} onRetry={() => void members.refetch()} />
        ) : members.data.items.length === 0 ? (
          search ? (
            <EmptyState title="No members match your search">Try part of another email address or name.</EmptyState>
          ) : (
            <EmptyState title="No members yet">People join a domain when they are given a role in it.</EmptyState>
          )
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Members of {domainName}</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Email
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Roles in this domain
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Status
                  </th>
                </tr>
              </thead>
              <tbody className={`divide-y divide-slate-100 ${members.isPlaceholderData ? "opacity-60" : ""}`}>
                {members.data.items.map((member) => (
                  <tr key={member.id}>
                    <td className="px-4 py-3 font-medium break-all">{member.email}</td>
                    <td className="px-4 py-3 text-slate-700">{member.name}</td>
                    <td className="px-4 py-3">
                      <ul className="flex flex-wrap gap-1" aria-label={`Roles of ${member.email} in this domain`}>
                        {member.roles.map((role) => (
                          <li key={role.roleId}>
                            <Badge tone="brand">{role.roleName}</Badge>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td className="px-4 py-3">{member.banned ? <Badge tone="red">Banned</Badge> : <Badge tone="green">Active</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {members.isSuccess && (members.data.items.length > 0 || pages.pageNumber > 1) ? (
          <Pager
            label="Members pages"
            pageNumber={pages.pageNumber}
            hasNext={nextCursor !== null && !members.isPlaceholderData}
            onNext={() => {
              if (nextCursor) pages.next(nextCursor);
            }}
            onPrevious={pages.previous}
          />
        ) : null}
      </Panel>
    </>
  );
}
