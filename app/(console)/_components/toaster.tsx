"use client";

import { useTheme } from "next-themes";
import { Toaster as Sonner } from "sonner";

/**
 * Where the results of actions show (`toast.success(...)` from sonner), in the page's theme. Sonner
 * inserts its stylesheet itself; the page CSP allows that one by its hash (server/security-headers.ts).
 */
export function Toaster() {
  const { resolvedTheme } = useTheme();
  return <Sonner theme={resolvedTheme === "dark" ? "dark" : "light"} position="bottom-right" closeButton containerAriaLabel="Notifications" />;
}
