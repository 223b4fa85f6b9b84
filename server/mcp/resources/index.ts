import type { GatehouseResource } from "../resource";
import { auditEventResource } from "./audit-event";
import { clientResource } from "./client";
import { domainResource } from "./domain";
import { meResource } from "./me";
import { roleResource } from "./role";
import { userResource } from "./user";

/** Every resource the MCP endpoint offers: the fixed `gatehouse://me`, then one template per kind of entity. */
export const MCP_RESOURCES: readonly GatehouseResource[] = [
  meResource,
  userResource,
  roleResource,
  domainResource,
  clientResource,
  auditEventResource,
];
