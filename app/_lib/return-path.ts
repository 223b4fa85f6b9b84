/** Only same-origin paths may be returned to after sign-in; anything else goes home. */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.startsWith("/\\")) {
    return "/";
  }
  return candidate;
}
