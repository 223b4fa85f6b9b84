"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import {
  Button,
  EmptyState,
  ErrorState,
  LoadingState,
  LocalTime,
  PageHeader,
  Pager,
  Panel,
  SearchField,
  SelectField,
  useCursorPages,
} from "../../_components/ui";
import { EMPTY_CLIENT_FILTERS, clientsListInput, type ClientFilters } from "./queries";
import { RegisterClientDialog } from "./register-client-dialog";
import { ClientStatusBadge, ClientTypeBadge, ownerLabel } from "./shared";

export function ClientsList() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<ClientFilters>(EMPTY_CLIENT_FILTERS);
  // Bumped to clear the search box, which keeps its own text.
  const [searchKey, setSearchKey] = useState(0);
  const pages = useCursorPages();
  const [registering, setRegistering] = useState(false);

  const clients = useQuery({
    ...trpc.clients.list.queryOptions(clientsListInput(filters, pages.cursor)),
    placeholderData: keepPreviousData,
  });
  const nextCursor = clients.data?.nextCursor ?? null;

  function changeFilters(next: Partial<ClientFilters>) {
    setFilters((current) => ({ ...current, ...next }));
    pages.reset();
  }

  const filtered = filters.search !== "" || filters.type !== "" || filters.status !== "" || filters.domainId !== "" || filters.origin !== "";
  function clearFilters() {
    changeFilters(EMPTY_CLIENT_FILTERS);
    setSearchKey((key) => key + 1);
  }

  // The server says where the caller sees clients and where they may register one.
  const domainOptions = clients.data?.domains ?? [];
  const canWrite = clients.data?.can.create ?? false;

  return (
    <>
      <PageHeader
        title="Clients"
        description="The OAuth applications that may ask people for access: MCP clients, agents and your own apps."
        actions={
          canWrite ? (
            <Button variant="primary" onClick={() => setRegistering(true)}>
              Register client
            </Button>
          ) : null
        }
      />
      <Panel>
        <div className="flex flex-wrap items-end gap-4 border-b border-slate-200 px-4 py-4">
          <div className="min-w-64 flex-1">
            <SearchField
              key={searchKey}
              label="Search clients"
              placeholder="Name or client ID"
              onSearch={(search) => {
                if (search !== filters.search) changeFilters({ search });
              }}
            />
          </div>
          <div className="w-44">
            <SelectField
              label="Type"
              value={filters.type}
              onChange={(event) => changeFilters({ type: event.target.value as ClientFilters["type"] })}
            >
              <option value="">Any type</option>
              <option value="public">Public</option>
              <option value="confidential">Confidential</option>
            </SelectField>
          </div>
          <div className="w-44">
            <SelectField
              label="Status"
              value={filters.status}
              onChange={(event) => changeFilters({ status: event.target.value as ClientFilters["status"] })}
            >
              <option value="">Any status</option>
              <option value="active">Active</option>
              <option value="disabled">Disabled</option>
            </SelectField>
          </div>
          <div className="w-52">
            <SelectField
              label="Origin"
              value={filters.origin}
              onChange={(event) => changeFilters({ origin: event.target.value as ClientFilters["origin"] })}
            >
              <option value="">Any origin</option>
              <option value="console">Registered in the console</option>
              <option value="dynamic">Dynamic registration</option>
              <option value="metadata_document">Metadata document</option>
            </SelectField>
          </div>
          {domainOptions.length > 1 ? (
            <div className="w-52">
              <SelectField label="Domain" value={filters.domainId} onChange={(event) => changeFilters({ domainId: event.target.value })}>
                <option value="">Any domain</option>
                {domainOptions.map((domain) => (
                  <option key={domain.id} value={domain.id}>
                    {domain.name}
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
        {clients.isPending ? (
          <LoadingState label="Loading clients…" />
        ) : clients.isError ? (
          <ErrorState message={`The clients could not be loaded: ${clients.error.message}`} onRetry={() => void clients.refetch()} />
        ) : clients.data.items.length === 0 ? (
          pages.pageNumber > 1 ? (
            <EmptyState title="No more clients on this page">
              <Button className="mt-3" onClick={pages.reset}>
                Back to the first page
              </Button>
            </EmptyState>
          ) : filtered ? (
            <EmptyState title="No clients match these filters">
              <p>Try another search, type, status, origin or domain.</p>
              <Button className="mt-3" onClick={clearFilters}>
                Clear filters
              </Button>
            </EmptyState>
          ) : (
            <EmptyState title="No clients yet">
              {canWrite
                ? "Register a client to let an application ask people for access."
                : "Clients you can see will be listed here."}
            </EmptyState>
          )
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={clients.isPlaceholderData || undefined}>
              <caption className="sr-only">Clients</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Name
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Type
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Domain
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody className={`divide-y divide-slate-100 ${clients.isPlaceholderData ? "opacity-60" : ""}`}>
                {clients.data.items.map((client) => (
                  <tr key={client.clientId} className="hover:bg-slate-50">
                    <td className="px-4 py-3">
                      <Link href={`/clients/${encodeURIComponent(client.clientId)}`} className="font-medium text-brand-600 hover:underline">
                        {client.name}
                      </Link>
                      <p className="font-mono text-xs break-all text-slate-500">{client.clientId}</p>
                      {client.metadataDocumentHost ? (
                        <p className="text-xs text-slate-600">
                          Identified by its metadata document on <span className="font-medium">{client.metadataDocumentHost}</span>
                        </p>
                      ) : null}
                    </td>
                    <td className="px-4 py-3">
                      <ClientTypeBadge type={client.type} />
                    </td>
                    <td className="px-4 py-3 text-slate-700">{ownerLabel(client.domainName)}</td>
                    <td className="px-4 py-3">
                      <ClientStatusBadge disabled={client.disabled} />
                    </td>
                    <td className="px-4 py-3 text-slate-600">
                      <LocalTime value={client.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {clients.isSuccess && (clients.data.items.length > 0 || pages.pageNumber > 1) ? (
          <Pager
            label="Clients pages"
            pageNumber={pages.pageNumber}
            hasNext={nextCursor !== null && !clients.isPlaceholderData}
            onNext={() => {
              if (nextCursor) pages.next(nextCursor);
            }}
            onPrevious={pages.previous}
          />
        ) : null}
      </Panel>
      {clients.data ? (
        <RegisterClientDialog open={registering} onClose={() => setRegistering(false)} can={clients.data.can} domains={clients.data.domains} />
      ) : null}
    </>
  );
}
