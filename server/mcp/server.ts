import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import {
  ErrorCode,
  SetLevelRequestSchema,
  type CallToolResult,
  type GetPromptResult,
  type LoggingLevel,
  type ReadResourceResult,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import { databaseBusyErrorOf } from "@/db/client";
import { missingPermissions, type Permission } from "@/server/shared/permissions";
import { passes, type LogLevelStore } from "./logging";
import type { GatehousePrompt } from "./prompt";
import { matchResource, variableOf, type GatehouseResource } from "./resource";
import type { GatehouseTool, ToolContext } from "./tool";

export const MCP_SERVER_INFO = { name: "gatehouse", title: "Gatehouse", version: "0.1.0" } as const;

/**
 * The SDK builds a fresh Ajv instance for every server unless given one; it only compiles schemas
 * for elicitation, which these tools never use, so one shared validator serves every request.
 */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

const INSTRUCTIONS =
  "Gatehouse administers users, roles, domains (tenants), OAuth clients, sessions and grants, and keeps an audit log. " +
  "Every tool, resource and prompt acts as the signed-in user and can do only what that user's roles allow; call whoami (or read gatehouse://me) first to see them. " +
  "Users, roles, domains, clients and audit events can also be read as gatehouse:// resources, whose arguments complete.";

/** MCP's code for a resource that does not exist (or that the user cannot see, which looks the same). */
export const RESOURCE_NOT_FOUND = -32002;

/** The longest prompt argument accepted: an id or an email address, never a document. */
const MAX_PROMPT_ARGUMENT = 320;

/** Refusals a person can act on; their message goes back to the model as the tool's error text. */
const REFUSAL_CODES = new Set<TRPCError["code"]>(["FORBIDDEN", "NOT_FOUND", "BAD_REQUEST", "CONFLICT", "PRECONDITION_FAILED"]);

const INTERNAL_FAILURE = "Something went wrong on Gatehouse's side. The error has been logged.";

export type McpOutcome = "ok" | TRPCError["code"] | "INTERNAL_SERVER_ERROR";

/** One use of something the server offers, as the audit log records it. */
export type McpCall =
  | { kind: "tool"; tool: GatehouseTool }
  | { kind: "resource"; resource: GatehouseResource; uri: string }
  | { kind: "prompt"; prompt: GatehousePrompt; arguments: Record<string, string> };

export interface McpCallRecorder {
  (call: McpCall, outcome: McpOutcome): Promise<void>;
}

/** What one server offers: the tools, resources and prompts this token and user may use. */
export interface McpOffer {
  tools: readonly GatehouseTool[];
  resources: readonly GatehouseResource[];
  prompts: readonly GatehousePrompt[];
}

/**
 * A JSON-RPC error with a message meant for people. The SDK answers any thrown error with its `code`
 * and `message`; McpError would prefix "MCP error <code>:" to the words.
 */
export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** createCaller bypasses tRPC's error formatter, so an input refinement arrives as the zod issue list in JSON. */
function refusalMessage(error: TRPCError): string {
  const issue = error.cause instanceof ZodError ? error.cause.issues[0] : undefined;
  if (!issue) return error.message;
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

/** The router's refusal in words a person can act on, or null for a failure on Gatehouse's side. */
function refusalOf(error: unknown): { code: TRPCError["code"]; message: string } | null {
  return error instanceof TRPCError && REFUSAL_CODES.has(error.code) ? { code: error.code, message: refusalMessage(error) } : null;
}

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** The words of a refusal for something the user's roles do not cover at all. */
export function permissionRefusal(name: string, needed: readonly Permission[], held: ReadonlySet<Permission>): string | null {
  const missing = missingPermissions(held, needed);
  if (missing.length === 0) return null;
  return `${name} needs the ${missing.join(", ")} permission${missing.length > 1 ? "s" : ""}, which your roles do not grant.`;
}

const since = (started: number) => `${Math.round(performance.now() - started)} ms`;

/**
 * A fresh MCP server for one request (or one in-memory connection), with the tools, resources and
 * prompts this token and user may use. Router refusals (a domain the user cannot act in, a row they
 * cannot see, bad input) come back with the router's message: as a tool error, or as a JSON-RPC
 * error for resources and prompts, where anything the user cannot see is simply not found.
 */
export function createGatehouseMcpServer(
  offer: McpOffer,
  context: ToolContext,
  options: { record: McpCallRecorder; logLevel: LogLevelStore },
): McpServer {
  const { record, logLevel } = options;
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions: INSTRUCTIONS,
    capabilities: { tools: {}, logging: {} },
    jsonSchemaValidator: SHARED_VALIDATOR,
  });

  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevel.set(request.params.level);
    return {};
  });

  /** A log message to the client, in the response to the request it is about: a stateless server has no other stream. */
  async function log(extra: Extra, level: LoggingLevel, message: string): Promise<void> {
    if (!passes(level, logLevel.get())) return;
    await extra.sendNotification({ method: "notifications/message", params: { level, logger: "gatehouse", data: message } });
  }

  /** A failure that is not a refusal: logged here, recorded, and told to the client without details. */
  async function failed(call: McpCall, label: string, error: unknown, extra: Extra): Promise<void> {
    console.error(`MCP ${label} failed`, error);
    await record(call, "INTERNAL_SERVER_ERROR").catch(() => undefined);
    await log(extra, "error", `${label} failed on Gatehouse's side; the error has been logged.`).catch(() => undefined);
  }

  /** A completer limited to what the user can read; a refusal (a search too long, say) just completes nothing. */
  const completer = (complete: (typed: string, context: ToolContext) => Promise<string[]>) => async (typed: string | undefined) => {
    try {
      return await complete(typed ?? "", context);
    } catch (error) {
      if (databaseBusyErrorOf(error)) throw error;
      if (refusalOf(error)) return [];
      console.error("MCP completion failed", error);
      throw new JsonRpcError(ErrorCode.InternalError, INTERNAL_FAILURE);
    }
  };

  for (const tool of offer.tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (input: Record<string, unknown>, extra: Extra): Promise<CallToolResult> => {
        const call: McpCall = { kind: "tool", tool };
        const started = performance.now();
        try {
          const output = (await tool.run(input as never, context)) as Record<string, unknown>;
          await record(call, "ok");
          await log(extra, "info", `${tool.name} answered in ${since(started)}; the call is in the audit log.`);
          return { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output };
        } catch (error) {
          // The endpoint answers the whole request 503 with Retry-After; the audit write would be refused too.
          if (databaseBusyErrorOf(error)) throw error;
          const refusal = refusalOf(error);
          if (refusal) {
            await record(call, refusal.code);
            await log(extra, "warning", `${tool.name} was refused: ${refusal.message}`);
            return errorResult(refusal.message);
          }
          await failed(call, tool.name, error, extra);
          return errorResult(INTERNAL_FAILURE);
        }
      },
    );
  }

  for (const resource of offer.resources) {
    const read = async (uri: URL, extra: Extra): Promise<ReadResourceResult> => {
      const id = matchResource([resource], uri.href)?.id ?? null;
      const call: McpCall = { kind: "resource", resource, uri: uri.href };
      const started = performance.now();
      if (id === null) {
        await record(call, "BAD_REQUEST");
        throw new JsonRpcError(ErrorCode.InvalidParams, `The ${resource.name} id in ${uri.href} is not valid percent-encoding.`, { uri: uri.href });
      }
      try {
        const contents = await resource.read(id, context);
        await record(call, "ok");
        await log(extra, "info", `${uri.href} was read in ${since(started)}; the read is in the audit log.`);
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(contents) }] };
      } catch (error) {
        if (databaseBusyErrorOf(error)) throw error;
        const refusal = refusalOf(error);
        if (refusal) {
          await record(call, refusal.code);
          await log(extra, "warning", `${uri.href} was refused: ${refusal.message}`);
          throw new JsonRpcError(refusal.code === "NOT_FOUND" ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams, refusal.message, { uri: uri.href });
        }
        await failed(call, uri.href, error, extra);
        throw new JsonRpcError(ErrorCode.InternalError, INTERNAL_FAILURE);
      }
    };
    const metadata = { title: resource.title, description: resource.description, mimeType: "application/json" };
    const variable = variableOf(resource);
    if (variable === null) {
      server.registerResource(resource.name, resource.uriTemplate, metadata, (uri, extra) => read(uri, extra));
    } else {
      const template = new ResourceTemplate(resource.uriTemplate, {
        list: undefined,
        complete: resource.complete ? { [variable]: completer(resource.complete) } : undefined,
      });
      server.registerResource(resource.name, template, metadata, (uri, _variables, extra) => read(uri, extra));
    }
  }

  for (const prompt of offer.prompts) {
    const argsSchema = Object.fromEntries(
      Object.entries(prompt.arguments).map(([name, argument]) => {
        const text = z.string().max(MAX_PROMPT_ARGUMENT, `Give ${name} in at most ${MAX_PROMPT_ARGUMENT} characters.`).describe(argument.description);
        const field = argument.required ? text : text.optional();
        // completable marks the schema object itself, so each server gets its own.
        return [name, argument.complete ? completable(field, completer(argument.complete)) : field];
      }),
    );
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema },
      async (args: Record<string, string | undefined>, extra: Extra): Promise<GetPromptResult> => {
        const given = Object.fromEntries(Object.entries(args).filter((entry): entry is [string, string] => entry[1] !== undefined));
        const call: McpCall = { kind: "prompt", prompt, arguments: given };
        try {
          const result = await prompt.render(args, context);
          await record(call, "ok");
          await log(extra, "info", `The ${prompt.name} prompt was built; the request is in the audit log.`);
          return result;
        } catch (error) {
          if (databaseBusyErrorOf(error)) throw error;
          const refusal = refusalOf(error);
          if (refusal) {
            await record(call, refusal.code);
            await log(extra, "warning", `The ${prompt.name} prompt was refused: ${refusal.message}`);
            throw new JsonRpcError(ErrorCode.InvalidParams, refusal.message);
          }
          await failed(call, prompt.name, error, extra);
          throw new JsonRpcError(ErrorCode.InternalError, INTERNAL_FAILURE);
        }
      },
    );
  }
  return server;
}
