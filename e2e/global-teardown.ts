import { existsSync, readFileSync, rmSync } from "node:fs";
import { stateFile, type ServerState } from "./server-state";

const STOP_TIMEOUT_MS = 15_000;

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export default async function globalTeardown(): Promise<void> {
  const file = stateFile();
  if (!existsSync(file)) return;
  const state = JSON.parse(readFileSync(file, "utf8")) as ServerState;

  if (state.pid > 0) {
    signalGroup(state.pid, "SIGTERM");
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (groupAlive(state.pid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (groupAlive(state.pid)) signalGroup(state.pid, "SIGKILL");
  }

  rmSync(state.tempDir, { recursive: true, force: true });
  rmSync(file, { force: true });
}
