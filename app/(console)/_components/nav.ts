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

/** The server's answer (me.console): the pages of the console this user may open, in navigation order. */
export type ConsoleAnswer = inferRouterOutputs<AppRouter>["me"]["console"];

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
