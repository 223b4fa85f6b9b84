import type { inferRouterOutputs } from "@trpc/server";
import {
  AppWindow,
  CircleUser,
  FileText,
  Globe,
  LayoutDashboard,
  LockKeyhole,
  MonitorSmartphone,
  ScrollText,
  ShieldCheck,
  Users,
  type LucideIcon,
} from "lucide-react";
import type { AppRouter } from "@/server/trpc/root";

/** The server's answer (me.console): which pages of the console this user may open. */
export type ConsoleAnswer = inferRouterOutputs<AppRouter>["me"]["console"];

export interface ConsolePage {
  label: string;
  href: string;
}

/** Sections in the order the navigation shows them, when the server answers with one flag per section. */
const SECTIONS: Array<ConsolePage & { section: string }> = [
  { label: "Users", href: "/users", section: "users" },
  { label: "Roles", href: "/roles", section: "roles" },
  { label: "Domains", href: "/domains", section: "domains" },
  { label: "Clients", href: "/clients", section: "clients" },
  { label: "Sessions", href: "/sessions", section: "sessions" },
  { label: "Audit", href: "/audit", section: "audit" },
];

function isPageList(answer: unknown): answer is ConsolePage[] {
  return Array.isArray(answer) && answer.every((entry) => typeof entry?.href === "string" && typeof entry?.label === "string");
}

/**
 * The pages to offer, exactly as the server allows: a list of pages is shown as given; a flag per
 * section shows the allowed ones between Overview and Account, which are everyone's.
 */
export function consolePages(answer: ConsoleAnswer): ConsolePage[] {
  const given: unknown = answer;
  if (isPageList(given)) return given.map(({ label, href }) => ({ label, href }));
  const flags = given as Record<string, boolean | undefined>;
  return [
    { label: "Overview", href: "/" },
    ...SECTIONS.filter((entry) => flags[entry.section] === true).map(({ label, href }) => ({ label, href })),
    { label: "Account", href: "/account" },
  ];
}

const ICONS: Record<string, LucideIcon> = {
  "/": LayoutDashboard,
  "/users": Users,
  "/roles": ShieldCheck,
  "/domains": Globe,
  "/clients": AppWindow,
  "/sessions": MonitorSmartphone,
  "/audit": ScrollText,
  "/lockouts": LockKeyhole,
  "/account": CircleUser,
};

/** The icon of a page; a page this list does not know yet gets a plain document icon. */
export function pageIcon(href: string): LucideIcon {
  return ICONS[href] ?? FileText;
}

/** Whether `pathname` is inside the page at `href` (Overview only on its own address). */
export function isCurrentPage(href: string, pathname: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}
