"use client";

import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { AppWindow, Globe, Search, User, type LucideIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { Dialog as RadixDialog } from "radix-ui";
import { useEffect, useState, type ReactNode } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useInertBehind } from "./inert-behind";
import { pageIcon, type ConsoleAnswer } from "./nav";

/** How many matches each kind of result shows. */
const MATCHES = 5;

function useDebounced(value: string, delayMs: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

const ITEM =
  "flex cursor-default items-center gap-3 rounded-md px-3 py-2 text-sm text-slate-700 select-none data-[selected=true]:bg-slate-100 data-[selected=true]:text-slate-900";

const GROUP = "px-1 py-1 [&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-slate-500";

function Item({ onSelect, icon, children, value }: { onSelect: () => void; icon: ReactNode; children: ReactNode; value: string }) {
  return (
    <Command.Item value={value} onSelect={onSelect} className={ITEM}>
      {icon}
      <span className="min-w-0 flex-1 truncate">{children}</span>
    </Command.Item>
  );
}

/** One thing the palette offers: where it goes, how it reads, and the icon of its kind. */
interface Result {
  /** Unique among the palette's results, for cmdk. */
  value: string;
  href: string;
  icon: LucideIcon;
  label: ReactNode;
}

/** A heading and its results; nothing when there are none. */
function ResultGroup({ heading, results, go }: { heading: string; results: Result[]; go: (href: string) => void }) {
  if (results.length === 0) return null;
  return (
    <Command.Group heading={heading} className={GROUP}>
      {results.map((result) => (
        <Item key={result.value} value={result.value} onSelect={() => go(result.href)} icon={<result.icon aria-hidden="true" className="size-4 text-slate-500" />}>
          {result.label}
        </Item>
      ))}
    </Command.Group>
  );
}

/**
 * Search the console's people, clients and domains, and jump to any page, with the same list
 * procedures the pages use: what the caller may not read is never asked for (the server's page list
 * says which), and a list the server refuses is left out. The results of a search are the server's.
 */
function Palette({ answer, close }: { answer: ConsoleAnswer; close: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [text, setText] = useState("");
  const search = useDebounced(text.trim(), 250);
  const pages = answer;
  const mayRead = (href: string) => pages.some((page) => page.href === href);
  const searching = search.length > 0;
  const users = useQuery({ ...trpc.users.list.queryOptions({ search, limit: MATCHES }), enabled: searching && mayRead("/users"), retry: false });
  const clients = useQuery({ ...trpc.clients.list.queryOptions({ search, limit: MATCHES }), enabled: searching && mayRead("/clients"), retry: false });
  const domains = useQuery({ ...trpc.domains.list.queryOptions({ search, limit: MATCHES }), enabled: searching && mayRead("/domains"), retry: false });

  const wanted = text.trim().toLowerCase();
  const matchingPages = pages.filter((page) => page.label.toLowerCase().includes(wanted));
  const go = (href: string) => {
    close();
    router.push(href);
  };
  const loading = searching && [users, clients, domains].some((query) => query.isFetching);
  const userRows = searching && users.isSuccess ? users.data.items : [];
  const clientRows = searching && clients.isSuccess ? clients.data.items : [];
  const domainRows = searching && domains.isSuccess ? domains.data.items : [];
  const groups: Array<[heading: string, results: Result[]]> = [
    ["Pages", matchingPages.map((page) => ({ value: `page ${page.href}`, href: page.href, icon: pageIcon(page.href), label: page.label }))],
    [
      "Users",
      userRows.map((user) => ({
        value: `user ${user.id}`,
        href: `/users?user=${encodeURIComponent(user.id)}`,
        icon: User,
        label: (
          <>
            {user.name} <span className="text-slate-500">{user.email}</span>
          </>
        ),
      })),
    ],
    [
      "Clients",
      clientRows.map((client) => ({
        value: `client ${client.clientId}`,
        href: `/clients/${encodeURIComponent(client.clientId)}`,
        icon: AppWindow,
        label: client.name,
      })),
    ],
    [
      "Domains",
      domainRows.map((domain) => ({
        value: `domain ${domain.id}`,
        href: `/domains/${encodeURIComponent(domain.id)}`,
        icon: Globe,
        label: (
          <>
            {domain.name} <span className="text-slate-500">{domain.slug}</span>
          </>
        ),
      })),
    ],
  ];

  return (
    <Command label="Search the console" shouldFilter={false} loop className="flex max-h-[min(32rem,calc(100dvh-6rem))] flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 px-4">
        <Search aria-hidden="true" className="size-4 shrink-0 text-slate-500" />
        <Command.Input
          value={text}
          onValueChange={setText}
          placeholder="Go to a page, or find a user, client or domain…"
          className="h-12 w-full bg-transparent text-sm text-slate-900 outline-none placeholder:text-slate-500"
        />
      </div>
      <Command.List className="overflow-y-auto p-1">
        {loading ? <Command.Loading className="px-3 py-2 text-sm text-slate-500">Searching…</Command.Loading> : null}
        <Command.Empty className="px-3 py-6 text-center text-sm text-slate-500">
          {searching && !loading ? `Nothing matches “${search}”.` : "No page matches."}
        </Command.Empty>
        {groups.map(([heading, results]) => (
          <ResultGroup key={heading} heading={heading} results={results} go={go} />
        ))}
      </Command.List>
    </Command>
  );
}

/** The command palette: ⌘K or Ctrl-K anywhere in the console, or the search button in the top bar. */
export function CommandPalette({ answer }: { answer: ConsoleAnswer }) {
  const [open, setOpen] = useState(false);
  useInertBehind(open);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key.toLowerCase() === "k" && (event.metaKey || event.ctrlKey) && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        setOpen((current) => !current);
      }
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <RadixDialog.Trigger className="flex min-w-0 items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-600 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 sm:w-64">
        <Search aria-hidden="true" className="size-4 shrink-0" />
        <span className="hidden flex-1 text-left sm:inline">Search…</span>
        <span className="sr-only sm:hidden">Search</span>
        <kbd aria-hidden="true" className="hidden rounded border border-slate-300 px-1.5 font-sans text-xs text-slate-600 sm:inline">
          Ctrl K
        </kbd>
      </RadixDialog.Trigger>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-backdrop" />
        <RadixDialog.Content
          aria-describedby={undefined}
          className="fixed top-[10vh] left-1/2 z-50 w-[calc(100%-2rem)] max-w-xl -translate-x-1/2 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-2xl outline-none"
        >
          <RadixDialog.Title className="sr-only">Search the console</RadixDialog.Title>
          {open ? <Palette answer={answer} close={() => setOpen(false)} /> : null}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
