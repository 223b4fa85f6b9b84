"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { Menu } from "lucide-react";
import { Dialog as RadixDialog } from "radix-ui";
import { useState } from "react";
import { Brand } from "@/app/_components/brand";
import { useInertBehind } from "./inert-behind";
import { isCurrentPage, pageIcon, type ConsoleAnswer } from "./nav";
import { IconButton } from "./ui";

/** The console's pages as links, the current one marked; `onNavigate` runs when one is followed. */
function NavList({ answer, onNavigate }: { answer: ConsoleAnswer; onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Console" className="flex-1 overflow-y-auto px-3">
      <ul className="space-y-1">
        {answer.map((page) => {
          const Icon = pageIcon(page.href);
          return (
            <li key={page.href}>
              <Link
                href={page.href}
                onClick={onNavigate}
                aria-current={isCurrentPage(page.href, pathname) ? "page" : undefined}
                className="flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-600 aria-[current=page]:bg-slate-100 aria-[current=page]:text-slate-900"
              >
                <Icon aria-hidden="true" className="size-4 shrink-0 text-slate-500" />
                {page.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** From 1024 px up: the navigation as a column beside the page, fixed while the page scrolls. */
export function Sidebar({ answer }: { answer: ConsoleAnswer }) {
  return (
    <aside className="sticky top-0 hidden h-screen w-60 shrink-0 flex-col border-r border-slate-200 bg-white lg:flex">
      <div className="px-5 py-5">
        <Brand />
      </div>
      <NavList answer={answer} />
    </aside>
  );
}

/**
 * Below 1024 px: a menu button opening the navigation as a sheet from the left (a Radix dialog, so
 * focus stays inside and Escape closes it). Following a link closes it.
 */
export function MobileNav({ answer }: { answer: ConsoleAnswer }) {
  const [open, setOpen] = useState(false);
  useInertBehind(open);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <RadixDialog.Trigger asChild>
        <IconButton label="Open navigation" className="lg:hidden">
          <Menu aria-hidden="true" className="size-5" />
        </IconButton>
      </RadixDialog.Trigger>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-backdrop lg:hidden" />
        <RadixDialog.Content
          aria-describedby={undefined}
          className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col bg-white py-2 shadow-xl outline-none lg:hidden"
        >
          <RadixDialog.Title className="px-5 py-4">
            <Brand />
            <span className="sr-only"> navigation</span>
          </RadixDialog.Title>
          <NavList answer={answer} onNavigate={() => setOpen(false)} />
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
