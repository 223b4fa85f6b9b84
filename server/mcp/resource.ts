import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import type { z } from "zod";
import type { Permission } from "@/server/shared/permissions";
import type { McpScope } from "./catalog";
import type { ToolContext } from "./tool";

/** Completions a client gets for one template argument, at most; a person picks from a short list. */
export const MAX_COMPLETIONS = 20;

/**
 * A Gatehouse resource: one read-only entity, named by a URI, read through the same tRPC procedure as
 * the console and the read tools. `uriTemplate` is an RFC 6570 template with one variable (such as
 * `gatehouse://users/{userId}`), or a fixed URI for a resource that needs no argument. Like a tool, it
 * is offered only when the token has `scope` and the user holds every one of `permissions` somewhere;
 * the procedure still decides which rows the user can see, and anything else is not found.
 */
export interface GatehouseResource<Contents = unknown> {
  /** The template's name in `resources/templates/list`, and the kind of entity in messages. */
  name: string;
  title: string;
  description: string;
  uriTemplate: string;
  scope: McpScope;
  permissions: readonly Permission[];
  /** The shape of the JSON document a read returns, so tests can hold the reads to it. */
  contents: z.ZodType<Contents>;
  /** Reads the entity the URI's variable names (already percent-decoded; empty for a fixed URI). */
  read(id: string, context: ToolContext): Promise<Contents>;
  /** Values for the template's variable that the user can read, matching what has been typed so far. */
  complete?(typed: string, context: ToolContext): Promise<string[]>;
}

/** Keeps each resource file's types exact while the registry holds them as one list. */
export function defineResource<Contents>(resource: GatehouseResource<Contents>): GatehouseResource {
  return resource as unknown as GatehouseResource;
}

const templates = new WeakMap<GatehouseResource, UriTemplate>();

function templateOf(resource: GatehouseResource): UriTemplate {
  let template = templates.get(resource);
  if (!template) templates.set(resource, (template = new UriTemplate(resource.uriTemplate)));
  return template;
}

/** The variable of a templated resource; null for a fixed URI. */
export function variableOf(resource: GatehouseResource): string | null {
  return templateOf(resource).variableNames[0] ?? null;
}

/** A URI as the SDK compares it: parsed and serialized again, so `GATEHOUSE://…` and `gatehouse://…` are one. */
export function normalizedUri(uri: string): string | null {
  try {
    return new URL(uri).href;
  } catch {
    return null;
  }
}

export interface ResourceMatch {
  resource: GatehouseResource;
  uri: string;
  /** The variable's value, percent-decoded; null when it does not decode (no entity has such an id). */
  id: string | null;
}

/**
 * Which resource a URI names, and the id in it, the way the SDK's `resources/read` finds the template:
 * the endpoint checks scope and permissions of exactly what the SDK will read.
 */
export function matchResource(resources: readonly GatehouseResource[], rawUri: string): ResourceMatch | undefined {
  const uri = normalizedUri(rawUri);
  if (uri === null) return undefined;
  for (const resource of resources) {
    const variable = variableOf(resource);
    if (variable === null) {
      if (normalizedUri(resource.uriTemplate) === uri) return { resource, uri, id: "" };
      continue;
    }
    const matched = templateOf(resource).match(uri)?.[variable];
    if (typeof matched !== "string") continue;
    try {
      return { resource, uri, id: decodeURIComponent(matched) };
    } catch {
      return { resource, uri, id: null };
    }
  }
  return undefined;
}

/** The resource a `completion/complete` reference names: the template text exactly, as the SDK looks it up. */
export function resourceByTemplate(resources: readonly GatehouseResource[], uriTemplate: string): GatehouseResource | undefined {
  return resources.find((resource) => resource.uriTemplate === uriTemplate);
}

/** At most MAX_COMPLETIONS distinct values, in the order found. */
export function completions(values: Iterable<string>): string[] {
  return [...new Set(values)].slice(0, MAX_COMPLETIONS);
}
