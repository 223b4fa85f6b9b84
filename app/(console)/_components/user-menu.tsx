"use client";

import Link from "next/link";
import { ChevronsUpDown, CircleUser, LogOut, Monitor, Moon, Sun } from "lucide-react";
import { DropdownMenu } from "radix-ui";
import { THEME_CHOICES, useThemeChoice } from "@/app/_components/theme";
import { Avatar } from "./avatar";
import { useSignOut } from "./sign-out-button";

const THEME_ICONS = { system: Monitor, light: Sun, dark: Moon } as const;

const ITEM =
  "flex cursor-default items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-700 outline-none select-none data-[highlighted]:bg-slate-100 data-[highlighted]:text-slate-900 data-[disabled]:opacity-60";

/** Who is signed in, with the theme switch, their account page and signing out. */
export function UserMenu({ name, email }: { name: string; email: string }) {
  const { theme, setTheme } = useThemeChoice();
  const { pending, signOut } = useSignOut();
  return (
    // Not modal: a modal menu hides the page with aria-hidden while its controls stay focusable (axe's aria-hidden-focus).
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
        aria-label={`Account menu for ${name}`}
        className="flex items-center gap-2 rounded-md px-1.5 py-1 text-left text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600"
      >
        <Avatar email={email} name={name} />
        <span className="hidden max-w-40 min-w-0 sm:block">
          <span className="block truncate font-medium text-slate-900">{name}</span>
          <span className="block truncate text-xs text-slate-500">{email}</span>
        </span>
        <ChevronsUpDown aria-hidden="true" className="size-4 text-slate-500" />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={6}
          className="z-50 w-60 rounded-lg border border-slate-200 bg-white p-1 shadow-lg"
        >
          <DropdownMenu.Label className="px-2 py-1.5">
            <span className="block truncate text-sm font-medium text-slate-900">{name}</span>
            <span className="block truncate text-xs text-slate-500">{email}</span>
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
          <DropdownMenu.Item asChild className={ITEM}>
            <Link href="/account">
              <CircleUser aria-hidden="true" className="size-4 text-slate-500" />
              Your account
            </Link>
          </DropdownMenu.Item>
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
          <DropdownMenu.Label className="px-2 pt-1.5 pb-1 text-xs font-medium text-slate-500">Theme</DropdownMenu.Label>
          <DropdownMenu.RadioGroup value={theme ?? ""} onValueChange={setTheme} aria-label="Theme">
            {THEME_CHOICES.map((choice) => {
              const Icon = THEME_ICONS[choice.value];
              return (
                <DropdownMenu.RadioItem key={choice.value} value={choice.value} className={`${ITEM} justify-between`}>
                  <span className="flex items-center gap-2">
                    <Icon aria-hidden="true" className="size-4 text-slate-500" />
                    {choice.label}
                  </span>
                  <DropdownMenu.ItemIndicator className="size-1.5 rounded-full bg-brand-600" />
                </DropdownMenu.RadioItem>
              );
            })}
          </DropdownMenu.RadioGroup>
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
          <DropdownMenu.Item
            className={ITEM}
            disabled={pending}
            // Keep the menu open while signing out, so the item can say so.
            onSelect={(event) => {
              event.preventDefault();
              void signOut();
            }}
          >
            <LogOut aria-hidden="true" className="size-4 text-slate-500" />
            {pending ? "Signing out…" : "Sign out"}
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
