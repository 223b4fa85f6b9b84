"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useQueryStates } from "nuqs";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useListState } from "../../_components/data-table";
import { Section, Button, ConfirmDialog, LoadingState, PageHeader, Panel, SearchField, SelectField } from "../../_components/ui";
import { BrowserSessionsTable } from "./browser-sessions-table";
import { GrantsTable } from "./grants-table";
import {
  CLIENT_OPTIONS_INPUT,
  browserSessionsParams,
  browserSessionsUrlKeys,
  grantsParams,
  grantsUrlKeys,
  sessionsFilterParams,
  sessionsFilterUrlKeys,
  sessionsInput,
} from "./queries";
import { revokedSummary, useInvalidateRevocations } from "./shared";
import { confirming } from "../../_components/use-confirmed-mutation";

/** How the text in the User filter turned out: nothing, a user to filter on, or why it cannot be used. */
type UserFilter =
  | { kind: "none" }
  | { kind: "user"; userId: string; label: string }
  | { kind: "pending" }
  | { kind: "problem"; message: string };

/**
 * The User filter takes a user ID or an email address. The lists filter by ID, so an email is
 * looked up among the users the caller may read; the server says when they may read none.
 */
function useUserFilter(text: string): UserFilter {
  const trpc = useTRPC();
  const byEmail = text.includes("@");
  const lookup = useQuery({
    ...trpc.users.list.queryOptions({ search: text, limit: 10 }),
    enabled: byEmail,
    // A refusal stays a refusal; only other failures are worth another try.
    retry: (failures, error) => error.data?.code !== "FORBIDDEN" && failures < 3,
  });
  if (text === "") return { kind: "none" };
  if (!byEmail) return { kind: "user", userId: text, label: text };
  if (lookup.isPending) return { kind: "pending" };
  if (lookup.isError && lookup.error.data?.code === "FORBIDDEN") {
    return { kind: "problem", message: "Finding a user by email needs the users:read permission. Enter their user ID instead." };
  }
  if (lookup.isError) return { kind: "problem", message: `The user could not be looked up: ${lookup.error.message}` };
  const match = lookup.data.items.find((user) => user.email.toLowerCase() === text.toLowerCase());
  return match
    ? { kind: "user", userId: match.id, label: match.email }
    : { kind: "problem", message: `No user with the email ${text} is visible to you.` };
}

/**
 * `canPickClient`: whether the server let the page list clients (clients:read); without it the
 * Client filter takes a typed client ID instead of offering a list. The filters and both lists'
 * order and pages are in the URL.
 */
export function SessionsConsole({ canPickClient }: { canPickClient: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateRevocations();
  const [filters, setFilters] = useQueryStates(sessionsFilterParams, { history: "push", urlKeys: sessionsFilterUrlKeys, scroll: false });
  const { user: userText, clientId } = filters;
  const grantsList = useListState(grantsParams, grantsUrlKeys);
  const sessionsList = useListState(browserSessionsParams, browserSessionsUrlKeys);
  const [revokingAll, setRevokingAll] = useState(false);

  const clients = useQuery({ ...trpc.clients.list.queryOptions(CLIENT_OPTIONS_INPUT), enabled: canPickClient });
  const clientOptions = clients.data?.items ?? [];
  const user = useUserFilter(userText);
  const userId = user.kind === "user" ? user.userId : "";
  // The same query as the sessions table's first page: filtered by a user, it says whether the caller may end all their access.
  const userSessions = useQuery({ ...trpc.sessions.list.queryOptions(sessionsInput(userId, sessionsList.state)), enabled: userId !== "" });
  const canRevokeAll = userId !== "" && userSessions.data?.can.revokeAllForUser === true;

  const revokeAll = useMutation(
    trpc.sessions.revokeAllForUser.mutationOptions({
      onSuccess: async (revoked) => {
        setRevokingAll(false);
        toast.success(`${user.kind === "user" ? `${user.label}: ` : ""}${revokedSummary(revoked)}`);
        await invalidate();
      },
    }),
  );

  /** A filter change takes both lists back to their first pages (the client filter only touches grants). */
  function filterBy(next: { user?: string; clientId?: string }) {
    void setFilters({
      ...(next.user !== undefined ? { user: next.user || null, sessionPages: null } : {}),
      ...(next.clientId !== undefined ? { clientId: next.clientId || null } : {}),
      grantPages: null,
    });
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
              value={userText}
              onSearch={(value) => {
                if (value === userText) return;
                revokeAll.reset();
                filterBy({ user: value });
              }}
            />
          </div>
          {canPickClient ? (
            <div className="w-64">
              <SelectField
                label="Client"
                value={clientId}
                onChange={(event) => filterBy({ clientId: event.target.value })}
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
                value={clientId}
                onSearch={(value) => {
                  if (value !== clientId) filterBy({ clientId: value });
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
        {user.kind === "user" && canRevokeAll ? (
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
          <Section title="Grants" headingClassName="text-lg font-semibold">
            <p className="mb-3 text-sm text-slate-500">
              One row per person and application: the consent they gave and the tokens the application holds for them.
            </p>
            <GrantsTable filters={{ userId, clientId }} filtered={userId !== "" || clientId !== ""} list={grantsList} />
          </Section>
          <Section title="Browser sessions" headingClassName="text-lg font-semibold">
            <p className="mb-3 text-sm text-slate-500">
              Where people are signed in to Gatehouse itself{clientId ? "; the client filter does not apply here" : ""}.
            </p>
            <BrowserSessionsTable userId={userId} filtered={userId !== ""} list={sessionsList} />
          </Section>
        </div>
      ) : null}
      {user.kind === "user" ? (
        <ConfirmDialog
          open={revokingAll}
          onCancel={() => setRevokingAll(false)}
          {...confirming(revokeAll, { userId: user.userId })}
          title="Revoke everything for this user"
          confirmLabel="Revoke everything"
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
