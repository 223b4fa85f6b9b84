import os from "node:os";
import path from "node:path";

/** What global-setup leaves behind for global-teardown: the server's process group and its temp dir. */
export interface ServerState {
  pid: number;
  tempDir: string;
  port: number;
}

export function e2ePort(): number {
  return Number(process.env.E2E_PORT ?? 3100);
}

/** One state file per port, outside the temp dir so teardown finds it without knowing the dir. */
export function stateFile(port = e2ePort()): string {
  return path.join(os.tmpdir(), `gatehouse-e2e-${port}.json`);
}
