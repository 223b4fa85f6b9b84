"use client";

import { keepPreviousData, useQuery, type UseQueryResult } from "@tanstack/react-query";
import Link from "next/link";
import { useQueryStates } from "nuqs";
import type { ReactNode } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DASHBOARD_RANGE_LABELS, DASHBOARD_RANGES, type DashboardRange } from "@/server/shared/dashboard";
import { Badge, EmptyState, ErrorState, LoadingState, LocalTime, PageHeader, Panel } from "../_components/ui";
import { ActivityChart, type ChartPoint } from "./activity-chart";
import { dashboardSearchParams } from "./search-params";

/** Which sections the caller may read, from the server's me.console answer. */
export interface DashboardSections {
  audit: boolean;
  sessions: boolean;
  users: boolean;
  clients: boolean;
}

const SIGN_IN_SERIES = [
  { key: "signIns", label: "Succeeded", color: "var(--chart-sign-ins)" },
  { key: "signInFailures", label: "Failed", color: "var(--chart-sign-in-failures)" },
];
const MCP_SERIES = [
  { key: "mcpCalls", label: "Answered", color: "var(--chart-mcp-calls)" },
  { key: "mcpFailures", label: "Refused or failed", color: "var(--chart-mcp-failures)" },
];

const SECURITY_LABELS: Record<string, string> = {
  "auth.mfa_locked": "Second factor locked after wrong codes",
  "auth.step_up_failed": "Failed to confirm identity (step-up)",
  "oauth.refresh_token_reused": "Refresh token reused: grant ended",
  "oauth.code_replayed": "Authorization code replayed",
  "session.revoked": "Session revoked",
  "session.revoked_others": "Other sessions revoked",
  "token.revoked": "Token revoked",
  "oauth.token_revoked": "Token revoked by its client",
  "grant.revoked": "Grant revoked",
  "user.access_revoked": "All of a user's access revoked",
  "client.access_revoked": "All of a client's access revoked",
};

/** Bucket labels in UTC, so the server render and the browser agree and days line up with the buckets. */
function bucketLabel(start: Date, bucket: "hour" | "day"): string {
  const iso = new Date(start).toISOString();
  if (bucket === "hour") return `${iso.slice(11, 16)}`;
  return new Date(start).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

export function Dashboard({ sections, userName }: { sections: DashboardSections; userName: string }) {
  const nothing = !sections.audit && !sections.sessions && !sections.users && !sections.clients;
  return (
    <div className="space-y-6">
      <PageHeader
        title={`Welcome, ${userName}`}
        description="An overview of the part of Gatehouse you administer."
        actions={sections.audit ? <RangeSwitch /> : undefined}
      />
      {nothing ? (
        <Panel>
          <EmptyState title="Nothing to show here yet.">
            Your roles give no access to users, sessions, clients or the audit log. Your own profile is under{" "}
            <Link href="/account" className="font-medium text-brand-600 hover:underline">
              Account
            </Link>
            .
          </EmptyState>
        </Panel>
      ) : null}
      {sections.audit ? <ActivitySection /> : null}
      <div className="grid gap-6 lg:grid-cols-2">
        {sections.sessions ? <AccessSection /> : null}
        {sections.users ? <MfaSection /> : null}
        {sections.audit ? <SecurityEventsSection /> : null}
        {sections.clients ? <RegisteredClientsSection /> : null}
      </div>
    </div>
  );
}

function useRange(): [DashboardRange, (range: DashboardRange) => void] {
  const [{ range }, setParams] = useQueryStates(dashboardSearchParams);
  return [range, (next) => void setParams({ range: next })];
}

function RangeSwitch() {
  const [range, setRange] = useRange();
  return (
    <div role="group" aria-label="Period shown" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm">
      {DASHBOARD_RANGES.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={range === option}
          title={DASHBOARD_RANGE_LABELS[option]}
          onClick={() => setRange(option)}
          className={`rounded px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 ${
            range === option ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"
          }`}
        >
          <span aria-hidden="true">{option}</span>
          <span className="sr-only">{DASHBOARD_RANGE_LABELS[option]}</span>
        </button>
      ))}
    </div>
  );
}

function Card({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <Panel className="flex flex-col">
      <section aria-label={title} className="flex flex-1 flex-col">
        <h2 className="border-b border-slate-200 px-4 py-3 text-base font-semibold text-slate-900">{title}</h2>
        <div className="flex-1 px-4 py-4">{children}</div>
        {footer ? <div className="border-t border-slate-200 px-4 py-3 text-sm">{footer}</div> : null}
      </section>
    </Panel>
  );
}

/**
 * A card over one query: its loading and error states, then `children` with the data, or the
 * `empty` message when there is nothing to show; `more` links to the page behind the figures.
 */
function QueryCard<Data, Failure extends { message: string }>({
  title,
  query,
  loading,
  empty,
  more,
  children,
}: {
  title: string;
  query: UseQueryResult<Data, Failure>;
  loading: string;
  empty?: { when: (data: Data) => boolean; message: string };
  more?: { href: string; label: string };
  children: (data: Data) => ReactNode;
}) {
  const footer = more ? (
    <Link href={more.href} className="font-medium text-brand-600 hover:underline">
      {more.label}
    </Link>
  ) : undefined;
  return (
    <Card title={title} footer={footer}>
      {query.isPending ? (
        <LoadingState label={loading} />
      ) : query.isError ? (
        <ErrorState message={query.error.message} onRetry={() => void query.refetch()} />
      ) : empty?.when(query.data) ? (
        <NothingToShow>{empty.message}</NothingToShow>
      ) : (
        children(query.data)
      )}
    </Card>
  );
}

function NothingToShow({ children }: { children: ReactNode }) {
  return <p className="text-sm text-slate-600">{children}</p>;
}

/** A client of the dashboard's lists: its name linking to its page, and what the list says of it. */
function ClientRow({ client, className, children }: { client: { clientId: string; clientName: string }; className: string; children: ReactNode }) {
  return (
    <li className={`flex items-center justify-between py-2 text-sm ${className}`}>
      <Link href={`/clients/${encodeURIComponent(client.clientId)}`} className="min-w-0 truncate font-medium text-brand-600 hover:underline">
        {client.clientName}
      </Link>
      {children}
    </li>
  );
}

function Figure({ label, value, tone = "slate" }: { label: string; value: number; tone?: "slate" | "red" }) {
  return (
    <div className="min-w-0">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className={`text-2xl font-semibold tabular-nums ${tone === "red" ? "text-red-700" : "text-slate-900"}`}>{value.toLocaleString("en")}</dd>
    </div>
  );
}

function ActivitySection() {
  const trpc = useTRPC();
  const [range] = useRange();
  const query = useQuery({ ...trpc.dashboard.activity.queryOptions({ range }), placeholderData: keepPreviousData });
  if (query.isPending) return <LoadingState label="Loading activity…" />;
  if (query.isError) return <ErrorState message={query.error.message} onRetry={() => void query.refetch()} />;
  const { points, totals, bucket } = query.data;
  const chartPoints: ChartPoint[] = points.map(({ start, ...figures }) => ({ ...figures, label: bucketLabel(start, bucket) }));
  const period = DASHBOARD_RANGE_LABELS[query.data.range].toLowerCase();
  const by = bucket === "hour" ? "by hour (UTC)" : "by day (UTC)";
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card title="Sign-ins">
        <dl className="mb-4 grid grid-cols-2 gap-4">
          <Figure label="Succeeded" value={totals.signIns} />
          <Figure label="Failed" value={totals.signInFailures} tone={totals.signInFailures > 0 ? "red" : "slate"} />
        </dl>
        <ActivityChart
          title={`Sign-ins ${by}, ${period}`}
          caption={`${totals.signIns.toLocaleString("en")} succeeded and ${totals.signInFailures.toLocaleString("en")} failed sign-ins, ${period}, ${by}.`}
          points={chartPoints}
          series={SIGN_IN_SERIES}
        />
      </Card>
      <Card title="MCP calls">
        <dl className="mb-4 grid grid-cols-2 gap-4">
          <Figure label="Answered" value={totals.mcpCalls} />
          <Figure label="Refused or failed" value={totals.mcpFailures} tone={totals.mcpFailures > 0 ? "red" : "slate"} />
        </dl>
        <ActivityChart
          title={`MCP calls ${by}, ${period}`}
          caption={`${totals.mcpCalls.toLocaleString("en")} answered and ${totals.mcpFailures.toLocaleString("en")} refused or failed MCP calls (tools, resources and prompts), ${period}, ${by}.`}
          points={chartPoints}
          series={MCP_SERIES}
        />
      </Card>
    </div>
  );
}

function AccessSection() {
  const trpc = useTRPC();
  const query = useQuery(trpc.dashboard.access.queryOptions({}));
  return (
    <QueryCard title="Sessions and grants" query={query} loading="Loading sessions…" more={{ href: "/sessions", label: "Open sessions and grants" }}>
      {(data) => (
        <>
          <dl className="mb-4 grid grid-cols-2 gap-4">
            <Figure label="Active browser sessions" value={data.activeSessions} />
            <Figure label="Active OAuth grants" value={data.totalGrants} />
          </dl>
          <h3 className="mb-2 text-sm font-medium text-slate-700">Grants by client</h3>
          {data.grantsByClient.length === 0 ? (
            <NothingToShow>No client holds a live grant.</NothingToShow>
          ) : (
            <ul className="divide-y divide-slate-100">
              {data.grantsByClient.map((client) => (
                <ClientRow key={client.clientId} client={client} className="gap-3">
                  <span className="shrink-0 tabular-nums text-slate-700">
                    {client.users.toLocaleString("en")} {client.users === 1 ? "user" : "users"}
                  </span>
                </ClientRow>
              ))}
            </ul>
          )}
        </>
      )}
    </QueryCard>
  );
}

function MfaSection() {
  const trpc = useTRPC();
  const query = useQuery(trpc.dashboard.mfaCoverage.queryOptions());
  return (
    <QueryCard
      title="Second-factor coverage"
      query={query}
      loading="Loading coverage…"
      empty={{ when: (data) => data.required === 0, message: "No user you administer has a role or domain that requires a second factor." }}
    >
      {(data) => (
        <div className="space-y-3">
          <dl className="grid grid-cols-2 gap-4">
            <Figure label="Enrolled" value={data.enrolled} />
            <Figure label="Not enrolled" value={data.missing} tone={data.missing > 0 ? "red" : "slate"} />
          </dl>
          <label className="block text-sm text-slate-600">
            {data.enrolled.toLocaleString("en")} of {data.required.toLocaleString("en")} users who must have a second factor have
            one.
            <progress className="mt-2 block h-2 w-full accent-brand-600" max={data.required} value={data.enrolled} />
          </label>
          {data.missing > 0 ? (
            <Link href="/users?mfa=missing" className="inline-block text-sm font-medium text-brand-600 hover:underline">
              Show the {data.missing.toLocaleString("en")} not enrolled
            </Link>
          ) : null}
        </div>
      )}
    </QueryCard>
  );
}

function SecurityEventsSection() {
  const trpc = useTRPC();
  const query = useQuery(trpc.dashboard.securityEvents.queryOptions({}));
  return (
    <QueryCard
      title="Recent security events"
      query={query}
      loading="Loading security events…"
      more={{ href: "/audit", label: "Open the audit log" }}
      empty={{ when: (data) => data.length === 0, message: "No lockouts, failed step-ups, token reuse or revocations recorded." }}
    >
      {(data) => (
        <ul className="divide-y divide-slate-100">
          {data.map((event) => (
            <li key={event.id} className="space-y-1 py-2 text-sm">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="font-medium text-slate-900">{SECURITY_LABELS[event.action] ?? event.action}</span>
                <span className="text-slate-600">
                  <LocalTime value={event.at} />
                </span>
              </div>
              <div className="flex flex-wrap gap-x-3 gap-y-1 text-slate-600">
                {event.actorUserId ? (
                  <Link href={`/audit?actorUserId=${encodeURIComponent(event.actorUserId)}`} className="text-brand-600 hover:underline">
                    By {event.actorName || event.actorEmail || "a deleted user"}
                  </Link>
                ) : (
                  <span>By {event.actorVia === "system" ? "Gatehouse" : "someone not signed in"}</span>
                )}
                {event.targetId ? (
                  <Link
                    href={`/audit?targetType=${encodeURIComponent(event.targetType ?? "")}&targetId=${encodeURIComponent(event.targetId)}`}
                    className="text-brand-600 hover:underline"
                  >
                    History of this {event.targetType ?? "object"}
                  </Link>
                ) : null}
                {event.domainName ? <Badge>{event.domainName}</Badge> : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </QueryCard>
  );
}

function RegisteredClientsSection() {
  const trpc = useTRPC();
  const query = useQuery(trpc.dashboard.registeredClients.queryOptions({}));
  return (
    <QueryCard
      title="Clients registered this week"
      query={query}
      loading="Loading clients…"
      more={{ href: "/clients", label: "Open clients" }}
      empty={{ when: (data) => data.total === 0, message: "No client registered itself (dynamic registration) in the last 7 days." }}
    >
      {(data) => (
        <>
          <p className="mb-2 text-sm text-slate-600">
            {data.total.toLocaleString("en")} {data.total === 1 ? "client" : "clients"} registered themselves in the last 7 days.
          </p>
          <ul className="divide-y divide-slate-100">
            {data.items.map((client) => (
              <ClientRow key={client.clientId} client={client} className="flex-wrap gap-2">
                <span className="text-slate-600">
                  <LocalTime value={client.createdAt} />
                </span>
              </ClientRow>
            ))}
          </ul>
        </>
      )}
    </QueryCard>
  );
}
