"use client";

import { setNonce } from "get-nonce";
import { ThemeProvider, useTheme } from "next-themes";
import { useSyncExternalStore, type ReactNode } from "react";

/**
 * The colour theme: the system's by default, or light or dark as chosen (kept in localStorage by
 * next-themes, whose inline script sets the class before the first paint; it carries the nonce).
 * The nonce also goes to get-nonce, where Radix's scroll lock (react-remove-scroll) reads it for
 * the <style> it inserts while a dialog is open; without it the page CSP blocks that style.
 */
export function Theme({ nonce, children }: { nonce?: string; children: ReactNode }) {
  if (nonce) setNonce(nonce);
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      {children}
    </ThemeProvider>
  );
}

export const THEME_CHOICES = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
] as const;

const noSubscription = () => () => {};

/**
 * The chosen theme, or undefined before hydration: the server cannot know the stored choice, so the
 * switch renders unchecked until the browser has it instead of mismatching.
 */
export function useThemeChoice(): { theme: string | undefined; setTheme: (theme: string) => void } {
  const { theme, setTheme } = useTheme();
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  return { theme: inBrowser ? theme : undefined, setTheme };
}
