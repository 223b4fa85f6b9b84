"use client";

import { useQuery } from "@tanstack/react-query";
import { SelectField } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DebouncedTextField } from "./debounced-text-field";

const CLIENT_CHOICES = 100;

/**
 * The client filter: a choice among the clients by name when the reader may list clients (the
 * server answers clients.list), or their client ID as typed when it refuses (an auditor without
 * clients:read). Clients deleted since, or beyond the first hundred, can still be typed in the URL.
 */
export function ClientFilter({ value, onChange, generation }: { value: string; onChange: (clientId: string) => void; generation: number }) {
  const trpc = useTRPC();
  const clients = useQuery({
    ...trpc.clients.list.queryOptions({ sort: { by: "name", direction: "asc" }, limit: CLIENT_CHOICES }),
    // A refusal is an answer (this reader types IDs), not a failure to retry.
    retry: false,
  });
  if (clients.isError) {
    return (
      <DebouncedTextField
        key={`client-${generation}`}
        label="Client ID"
        defaultValue={value}
        onCommit={onChange}
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
      />
    );
  }
  const choices = clients.data?.items ?? [];
  const known = value === "" || choices.some((client) => client.clientId === value);
  return (
    <div>
      <SelectField label="Client" value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">All clients</option>
        {choices.map((client) => (
          <option key={client.clientId} value={client.clientId}>
            {client.name ?? client.clientId}
          </option>
        ))}
        {known ? null : <option value={value}>{value}</option>}
      </SelectField>
      {clients.data?.nextCursor ? <p className="mt-1 text-xs text-slate-500">The first {CLIENT_CHOICES} clients by name.</p> : null}
    </div>
  );
}
