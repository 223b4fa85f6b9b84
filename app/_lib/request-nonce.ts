import "server-only";
import { headers } from "next/headers";
import { nonceFromPolicy } from "@/server/security-headers";

/**
 * This page request's CSP nonce, for what the server renders beside Next's own scripts (the theme
 * script) and for libraries that insert a <style> themselves (Radix's scroll lock): proxy.ts forwards
 * the policy on the request, Next reads it there too.
 */
export async function requestNonce(): Promise<string | undefined> {
  return nonceFromPolicy((await headers()).get("content-security-policy")) ?? undefined;
}
