/**
 * What a server costs the machine, read from /proc (Linux): CPU time and resident memory summed over
 * every process of a process group. The bench starts each server (Gatehouse through npm, the peer,
 * the bare handler) as the leader of its own group, so the group is exactly "every process that
 * server left running": npm, sh and scripts/start.mjs (serving Next.js) for Gatehouse.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  /** The executable name, as /proc shows it (at most 15 characters). */
  command: string;
  processGroup: number;
  /** CPU time in user and kernel mode, in clock ticks (see clockTicksPerSecond). */
  userTicks: number;
  systemTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line (proc(5)). The command sits in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from the last ")".
 */
export function parseStat(line: string): ProcStat {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  // After the command: field 3 (state) onwards, so field N is at index N - 3.
  const fields = line.slice(close + 2).trim().split(/\s+/);
  const field = (number: number) => {
    const value = Number(fields[number - 3]);
    if (!Number.isFinite(value)) throw new Error(`field ${number} of a /proc stat line is not a number: ${line.slice(0, 80)}`);
    return value;
  };
  return {
    pid: Number(line.slice(0, open).trim()),
    command: line.slice(open + 1, close),
    processGroup: field(5),
    userTicks: field(14),
    systemTicks: field(15),
  };
}

let ticks: number | undefined;

/** USER_HZ, the unit of the CPU times in /proc/<pid>/stat (100 on almost every Linux). */
export function clockTicksPerSecond(): number {
  ticks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  return ticks;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // Exited since the directory was listed.
  }
}

/** Every live process whose process group is `group`. */
export function processesOfGroup(group: number): ProcStat[] {
  const members: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat?.processGroup === group) members.push(stat);
  }
  return members;
}

/**
 * CPU seconds the group's live processes have used so far. A process that exited between two reads
 * takes its time with it, so read this around a load run, while the server's processes all live.
 */
export function groupCpuSeconds(group: number): number {
  const total = processesOfGroup(group).reduce((sum, stat) => sum + stat.userTicks + stat.systemTicks, 0);
  return total / clockTicksPerSecond();
}

/** VmRSS of a process in kB, from /proc/<pid>/status; undefined when it has gone. */
export function residentKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface GroupRssPeak {
  /** The largest sum of VmRSS over the group's processes seen at one sample, in MB. */
  peakMb: number;
  /** Each process's VmRSS at the sample with that largest sum. */
  processes: { pid: number; command: string; rssMb: number }[];
  samples: number;
}

/** One sample of a group: the sum of its processes' VmRSS and what each contributed. */
export function sampleGroupRss(group: number): { totalKb: number; processes: { pid: number; command: string; rssKb: number }[] } {
  const processes = processesOfGroup(group).flatMap((stat) => {
    const rssKb = residentKb(stat.pid);
    return rssKb === undefined ? [] : [{ pid: stat.pid, command: stat.command, rssKb }];
  });
  return { totalKb: processes.reduce((sum, process) => sum + process.rssKb, 0), processes };
}

/**
 * Samples the summed VmRSS of process groups every `intervalMs` until stopped, keeping each group's
 * largest sum. VmHWM (each process's own peak) would miss that the peaks of a parent and its child
 * need not coincide, and would not count the parent at all if read per process.
 */
export class RssSampler {
  private readonly peaks = new Map<number, { totalKb: number; processes: { pid: number; command: string; rssKb: number }[]; samples: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 500) {}

  /** Starts sampling a group (idempotent). */
  watch(group: number): void {
    if (!this.peaks.has(group)) this.peaks.set(group, { totalKb: 0, processes: [], samples: 0 });
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  sample(): void {
    for (const [group, peak] of this.peaks) {
      const now = sampleGroupRss(group);
      if (now.processes.length === 0) continue;
      peak.samples += 1;
      if (now.totalKb > peak.totalKb) {
        peak.totalKb = now.totalKb;
        peak.processes = now.processes;
      }
    }
  }

  peak(group: number): GroupRssPeak | null {
    const peak = this.peaks.get(group);
    if (!peak || peak.samples === 0) return null;
    return {
      peakMb: peak.totalKb / 1024,
      processes: peak.processes.map(({ pid, command, rssKb }) => ({ pid, command, rssMb: rssKb / 1024 })),
      samples: peak.samples,
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
