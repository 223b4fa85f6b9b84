"use client";

import { Tooltip } from "radix-ui";
import type { ReactNode } from "react";
import { Brand } from "@/app/_components/brand";
import { CommandPalette } from "./command-palette";
import { InertBehindModals } from "./inert-behind";
import type { ConsoleAnswer } from "./nav";
import { MobileNav, Sidebar } from "./sidebar";
import { StepUpDialog } from "./step-up-dialog";
import { Toaster } from "./toaster";
import { UserMenu } from "./user-menu";

/**
 * The console around every page: the sidebar from 1024 px up, a top bar with the menu button below
 * that, search (⌘K) and the account menu, and the app-wide dialogs and toasts. The page scrolls
 * sideways nowhere: wide content (tables) scrolls inside its own box.
 */
export function ConsoleShell({ answer, user, children }: { answer: ConsoleAnswer; user: { name: string; email: string }; children: ReactNode }) {
  return (
    <Tooltip.Provider delayDuration={300}>
      <InertBehindModals
        page={
          <>
            <a
              href="#main"
              className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-900 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
            >
              Skip to content
            </a>
            <div className="min-h-screen lg:flex">
              <Sidebar answer={answer} />
              <div className="flex min-w-0 flex-1 flex-col">
                <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b border-slate-200 bg-white px-3 sm:px-4 lg:px-8">
                  <MobileNav answer={answer} />
                  <span className="lg:hidden">
                    <Brand />
                  </span>
                  <div className="ml-auto flex min-w-0 items-center gap-2">
                    <CommandPalette answer={answer} />
                    <UserMenu name={user.name} email={user.email} />
                  </div>
                </header>
                <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none sm:px-6 lg:px-8 lg:py-8">
                  {children}
                </main>
              </div>
            </div>
          </>
        }
      >
        <StepUpDialog />
        <Toaster />
      </InertBehindModals>
    </Tooltip.Provider>
  );
}
