import type { GatehousePrompt } from "../prompt";
import { auditRecentSecurityEvents } from "./audit-recent-security-events";
import { investigateUserActivity } from "./investigate-user-activity";
import { reviewAdminAccess } from "./review-admin-access";

/** Every prompt the MCP endpoint offers, in the order `prompts/list` shows them. */
export const MCP_PROMPTS: readonly GatehousePrompt[] = [reviewAdminAccess, investigateUserActivity, auditRecentSecurityEvents];
