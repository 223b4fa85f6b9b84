import { Badge } from "@/app/(console)/_components/ui";

/** How an event came in, by colour: the console, an MCP tool, an OAuth flow, or Gatehouse itself. */
export const VIA_TONES = { web: "slate", mcp: "brand", oauth: "green", system: "amber" } as const;

/** Whether the event records a success or a refusal or failure, in words as well as colour. */
export function ResultBadge({ result }: { result: "success" | "failure" }) {
  return result === "failure" ? <Badge tone="red">Failure</Badge> : <Badge tone="green">Success</Badge>;
}
