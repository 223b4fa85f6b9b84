"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { Permission } from "@/server/shared/permissions";
import { SignOutButton } from "./sign-out-button";

interface Section {
  label: string;
  href: string;
  /** Shown only to users who hold this permission somewhere; the pages check again on the server. */
  requires?: Permission;
}

const SECTIONS: Section[] = [
  { label: "Overview", href: "/" },
  { label: "Users", href: "/users", requires: "users:read" },
  { label: "Roles", href: "/roles", requires: "roles:read" },
  { label: "Domains", href: "/domains", requires: "domains:read" },
  { label: "Clients", href: "/clients", requires: "clients:read" },
  { label: "Sessions", href: "/sessions", requires: "tokens:read" },
  { label: "Audit", href: "/audit", requires: "audit:read" },
  { label: "Account", href: "/account" },
];

export function Sidebar({
  userName,
  userEmail,
  heldPermissions,
}: {
  userName: string;
  userEmail: string;
  /** Every permission the user holds in some scope. */
  heldPermissions: readonly Permission[];
}) {
  const pathname = usePathname();
  const held = new Set(heldPermissions);
  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="px-5 py-5 text-lg font-semibold tracking-tight">Gatehouse</div>
      <nav aria-label="Console" className="flex-1 px-3">
        <ul className="space-y-1">
          {SECTIONS.filter((section) => !section.requires || held.has(section.requires)).map((section) => {
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
