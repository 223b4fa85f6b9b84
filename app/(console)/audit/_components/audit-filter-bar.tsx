"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Button, SelectField } from "@/app/(console)/_components/ui";
import { TextField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ActionFilter } from "./action-filter";
import { ClientFilter } from "./client-filter";
import { DebouncedTextField } from "./debounced-text-field";
import { hasAnyFilter, type AuditFilters } from "./filters";

const TARGET_TYPES = ["user", "role", "domain", "client", "session", "token"];

export function AuditFilterBar({
  filters,
  onChange,
  onClear,
  generation,
  rangeError,
}: {
  filters: AuditFilters;
  onChange: (change: Partial<AuditFilters>) => void;
  onClear: () => void;
  /** Changes when the filters are cleared, to reset the uncontrolled text fields. */
  generation: number;
  rangeError: string | null;
}) {
  const trpc = useTRPC();
  // The server offers the domains this reader may filter on, or says to take a domain id as typed.
  const domains = useQuery(trpc.audit.domains.queryOptions());
  const domainsByName = domains.data?.byName ?? false;

  const domainOptions = domains.data?.items ?? [];
  const knownDomain = filters.domainId === "" || domainOptions.some((domain) => domain.id === filters.domainId);
  const listId = useId();

  return (
    <div className="space-y-3">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <DebouncedTextField
          key={`actor-${generation}`}
          label="Actor"
          defaultValue={filters.actor}
          onCommit={(actor) => onChange({ actor })}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
          placeholder="Email or name"
        />
        <DebouncedTextField
          key={`search-${generation}`}
          label="Search"
          type="search"
          defaultValue={filters.search}
          onCommit={(search) => onChange({ search })}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
          placeholder="Text in the action, target or details"
        />
        <ActionFilter value={filters.action} onChange={(action) => onChange({ action })} />
        <SelectField label="Result" value={filters.result} onChange={(event) => onChange({ result: event.target.value })}>
          <option value="">Any result</option>
          <option value="success">Success</option>
          <option value="failure">Failure or refusal</option>
        </SelectField>
        <ClientFilter value={filters.clientId} onChange={(clientId) => onChange({ clientId })} generation={generation} />
        <DebouncedTextField
          key={`type-${generation}`}
          label="Target type"
          defaultValue={filters.targetType}
          onCommit={(targetType) => onChange({ targetType })}
          list={listId}
          autoComplete="off"
          spellCheck={false}
          maxLength={50}
          placeholder="user, role, domain…"
        />
        <datalist id={listId}>
          {TARGET_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <DebouncedTextField
          key={`target-${generation}`}
          label="Target ID"
          defaultValue={filters.targetId}
          onCommit={(targetId) => onChange({ targetId })}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
        />
        {domainsByName ? (
          <SelectField label="Domain" value={filters.domainId} onChange={(event) => onChange({ domainId: event.target.value })}>
            <option value="">All domains</option>
            {domainOptions.map((domain) => (
              <option key={domain.id} value={domain.id}>
                {domain.name} ({domain.slug})
              </option>
            ))}
            {knownDomain ? null : <option value={filters.domainId}>{filters.domainId}</option>}
          </SelectField>
        ) : (
          <DebouncedTextField
            key={`domain-${generation}`}
            label="Domain ID"
            defaultValue={filters.domainId}
            onCommit={(domainId) => onChange({ domainId })}
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
          />
        )}
        {filters.actorUserId ? (
          // An exact actor comes from a link (the dashboard's recent events); shown so it can be seen and cleared.
          <DebouncedTextField
            key={`actor-id-${generation}`}
            label="Actor user ID"
            defaultValue={filters.actorUserId}
            onCommit={(actorUserId) => onChange({ actorUserId })}
            autoComplete="off"
            spellCheck={false}
            maxLength={200}
          />
        ) : null}
        <TextField
          label="From"
          type="datetime-local"
          value={filters.from}
          onChange={(event) => onChange({ from: event.target.value })}
          error={rangeError ?? undefined}
        />
        <TextField
          label="To"
          type="datetime-local"
          value={filters.to}
          onChange={(event) => onChange({ to: event.target.value })}
          hint="Inclusive, in your local time."
        />
        <div className="flex items-end">
          {hasAnyFilter(filters) ? (
            <Button variant="ghost" onClick={onClear}>
              Clear filters
            </Button>
          ) : null}
        </div>
      </div>
      {domains.data?.more ? (
        <p className="text-xs text-slate-500">The Domain list offers the first {domainOptions.length} domains by slug.</p>
      ) : null}
    </div>
  );
}
