import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";

/** RFC 5424 severities as MCP orders them, least severe first. */
const SEVERITY: readonly LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/** Whether a message at `level` passes a client's chosen threshold; nothing passes until the client chooses one. */
export function passes(level: LoggingLevel, threshold: LoggingLevel | undefined): boolean {
  return threshold !== undefined && SEVERITY.indexOf(level) >= SEVERITY.indexOf(threshold);
}

/** Where the level a client set with `logging/setLevel` is kept between its requests. */
export interface LogLevelStore {
  get(): LoggingLevel | undefined;
  set(level: LoggingLevel): void;
}

export function memoryLogLevel(): LogLevelStore {
  let level: LoggingLevel | undefined;
  return {
    get: () => level,
    set: (chosen) => {
      level = chosen;
    },
  };
}

const REMEMBERED_LEVELS = 10_000;

/**
 * The endpoint is stateless and has no MCP session to hang a log level on, so the level is kept per
 * person and client in this process: the same client, refreshed tokens included, keeps its level;
 * another instance behind a load balancer does not know it and sends no messages until it is set
 * there too. Messages only ever go back to the client whose request caused them.
 */
export class LogLevels {
  private readonly levels = new Map<string, LoggingLevel>();

  for(userId: string, clientId: string): LogLevelStore {
    const key = `${userId}\n${clientId}`;
    return {
      get: () => this.levels.get(key),
      set: (level) => {
        this.levels.delete(key);
        if (this.levels.size >= REMEMBERED_LEVELS) this.levels.delete(this.levels.keys().next().value!);
        this.levels.set(key, level);
      },
    };
  }
}
