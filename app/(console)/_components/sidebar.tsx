"use client";

import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { AppRouter } from "@/server/trpc/root";
import { SignOutButton } from "./sign-out-button";

/** The server's answer (me.console): which sections this user may open. */
type ConsoleSections = inferRouterOutputs<AppRouter>["me"]["console"];

interface Section {
  label: string;
  href: string;
  /** Shown only when the server says the user may open it; without one, shown to everyone. */
  section?: keyof ConsoleSections;
}

const SECTIONS: Section[] = [
  { label: "Overview", href: "/" },
  { label: "Users", href: "/users", section: "users" },
  { label: "Roles", href: "/roles", section: "roles" },
  { label: "Domains", href: "/domains", section: "domains" },
  { label: "Clients", href: "/clients", section: "clients" },
  { label: "Sessions", href: "/sessions", section: "sessions" },
  { label: "Audit", href: "/audit", section: "audit" },
  { label: "Account", href: "/account" },
];

export function Sidebar({
  userName,
  userEmail,
  sections,
}: {
  userName: string;
  userEmail: string;
  sections: ConsoleSections;
}) {
  const pathname = usePathname();
  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="px-5 py-5 text-lg font-semibold tracking-tight">Gatehouse</div>
      <nav aria-label="Console" className="flex-1 px-3">
        <ul className="space-y-1">
          {SECTIONS.filter((entry) => !entry.section || sections[entry.section]).map((section) => {
            const current = section.href === "/" ? pathname === "/" : pathname.startsWith(section.href);
            return (
              <li key={section.href}>
                <Link
                  href={section.href}
                  aria-current={current ? "page" : undefined}
                  className="block rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-slate-100 aria-[current=page]:text-slate-900"
                >
                  {section.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="space-y-2 border-t border-slate-200 px-5 py-4">
        <p className="truncate text-sm font-medium">{userName}</p>
        <p className="truncate text-xs text-slate-500">{userEmail}</p>
        <SignOutButton />
      </div>
    </aside>
  );
}
