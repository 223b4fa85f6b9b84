"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { usePermissions } from "@/app/_lib/permissions";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button, ConfirmDialog, LoadingState, PageHeader, Panel, SearchField, SelectField, useCursorPages } from "../../_components/ui";
import { BrowserSessionsTable } from "./browser-sessions-table";
import { GrantsTable } from "./grants-table";
import { CLIENT_OPTIONS_INPUT } from "./queries";
import { revokedSummary, useInvalidateRevocations } from "./shared";

/** How the text in the User filter turned out: nothing, a user to filter on, or why it cannot be used. */
type UserFilter =
  | { kind: "none" }
  | { kind: "user"; userId: string; label: string }
  | { kind: "pending" }
  | { kind: "problem"; message: string };

/**
 * The User filter takes a user ID or an email address. The lists filter by ID, so an email is
 * looked up among the users the caller may read.
 */
function useUserFilter(text: string): UserFilter {
  const trpc = useTRPC();
  const { canAnywhere } = usePermissions();
  const byEmail = text.includes("@");
  const canLookUp = canAnywhere("users:read");
  const lookup = useQuery({
    ...trpc.users.list.queryOptions({ search: text, limit: 10 }),
    enabled: byEmail && canLookUp,
  });
  if (text === "") return { kind: "none" };
  if (!byEmail) return { kind: "user", userId: text, label: text };
  if (!canLookUp) {
    return { kind: "problem", message: "Finding a user by email needs the users:read permission. Enter their user ID instead." };
  }
  if (lookup.isPending) return { kind: "pending" };
  if (lookup.isError) return { kind: "problem", message: `The user could not be looked up: ${lookup.error.message}` };
  const match = lookup.data.items.find((user) => user.email.toLowerCase() === text.toLowerCase());
  return match
    ? { kind: "user", userId: match.id, label: match.email }
    : { kind: "problem", message: `No user with the email ${text} is visible to you.` };
}

export function SessionsConsole({ initialClientId }: { initialClientId: string }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateRevocations();
  const { canAnywhere } = usePermissions();
  const [userText, setUserText] = useState("");
  const [clientId, setClientId] = useState(initialClientId);
  const grantPages = useCursorPages();
  const sessionPages = useCursorPages();
  const [revokingAll, setRevokingAll] = useState(false);

  const canPickClient = canAnywhere("clients:read");
  const clients = useQuery({ ...trpc.clients.list.queryOptions(CLIENT_OPTIONS_INPUT), enabled: canPickClient });
  const clientOptions = clients.data?.items ?? [];
  const user = useUserFilter(userText);
  const userId = user.kind === "user" ? user.userId : "";

  const revokeAll = useMutation(
    trpc.revocations.revokeAllForUser.mutationOptions({
      onSuccess: async () => {
        setRevokingAll(false);
        await invalidate();
      },
    }),
  );

  function resetPages() {
    grantPages.reset();
    sessionPages.reset();
  }

  const listsShown = user.kind === "none" || user.kind === "user";
  return (
    <>
      <PageHeader
        title="Sessions & tokens"
        description="What applications people have let act for them, and where they are signed in to Gatehouse."
      />
      <Panel className="mb-6">
        <div className="flex flex-wrap items-end gap-4 px-4 py-4">
          <div className="min-w-64 flex-1">
            <SearchField
              label="User"
              placeholder="Email address or user ID"
              onSearch={(value) => {
                if (value === userText) return;
                setUserText(value);
                revokeAll.reset();
                resetPages();
              }}
            />
          </div>
          {canPickClient ? (
            <div className="w-64">
              <SelectField
                label="Client"
                value={clientId}
                onChange={(event) => {
                  setClientId(event.target.value);
                  grantPages.reset();
                }}
              >
                <option value="">Any client</option>
                {clientOptions.map((client) => (
                  <option key={client.clientId} value={client.clientId}>
                    {client.name}
                  </option>
                ))}
                {clientId && !clientOptions.some((client) => client.clientId === clientId) ? (
                  <option value={clientId}>{clientId}</option>
                ) : null}
              </SelectField>
            </div>
          ) : (
            <div className="w-64">
              <SearchField
                label="Client ID"
                onSearch={(value) => {
                  if (value === clientId) return;
                  setClientId(value);
                  grantPages.reset();
                }}
              />
            </div>
          )}
        </div>
        {user.kind === "problem" ? (
          <p role="alert" className="border-t border-slate-200 px-4 py-3 text-sm text-red-700">
            {user.message}
          </p>
        ) : null}
        {user.kind === "user" && canAnywhere("tokens:admin") ? (
          <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 px-4 py-3">
            <Button
              variant="danger"
              onClick={() => {
                revokeAll.reset();
                setRevokingAll(true);
              }}
            >
              Revoke everything for {user.label}
            </Button>
            {revokeAll.data ? (
              <p role="status" className="text-sm text-green-700">
                {revokedSummary(revokeAll.data)}
              </p>
            ) : null}
          </div>
        ) : null}
      </Panel>
      {user.kind === "pending" ? (
        <Panel>
          <LoadingState label="Looking the user up…" />
        </Panel>
      ) : null}
      {listsShown ? (
        <div className="space-y-8">
          <section aria-labelledby="grants-heading">
            <h2 id="grants-heading" className="text-lg font-semibold">
              Grants
            </h2>
            <p className="mb-3 text-sm text-slate-500">
              One row per person and application: the consent they gave and the tokens the application holds for them.
            </p>
            <GrantsTable filters={{ userId, clientId }} filtered={userId !== "" || clientId !== ""} pages={grantPages} />
          </section>
          <section aria-labelledby="browser-sessions-heading">
            <h2 id="browser-sessions-heading" className="text-lg font-semibold">
              Browser sessions
            </h2>
            <p className="mb-3 text-sm text-slate-500">
              Where people are signed in to Gatehouse itself{clientId ? "; the client filter does not apply here" : ""}.
            </p>
            <BrowserSessionsTable userId={userId} filtered={userId !== ""} pages={sessionPages} />
          </section>
        </div>
      ) : null}
      {user.kind === "user" ? (
        <ConfirmDialog
          open={revokingAll}
          onCancel={() => setRevokingAll(false)}
          onConfirm={() => revokeAll.mutate({ userId: user.userId })}
          title="Revoke everything for this user"
          confirmLabel="Revoke everything"
          pending={revokeAll.isPending}
          error={revokeAll.error?.message}
        >
          <p>
            End every grant, token and browser session of <strong>{user.label}</strong>? They are signed out everywhere, and every
            application has to ask them for consent again. Use this when an account may be compromised.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
