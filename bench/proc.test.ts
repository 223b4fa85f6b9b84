import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { clockTicksPerSecond, groupCpuSeconds, parseStat, processesOfGroup, RssSampler, residentKb, sampleGroupRss } from "./proc";

const ownGroup = () => parseStat(readFileSync("/proc/self/stat", "utf8")).processGroup;

test("parses this process's own stat line", () => {
  const stat = parseStat(readFileSync(`/proc/${process.pid}/stat`, "utf8"));
  expect(stat.pid).toBe(process.pid);
  expect(stat.command).toMatch(/node|vitest/);
  expect(stat.processGroup).toBeGreaterThan(0);
  // This test process has run code already, so it has used some CPU time.
  expect(stat.userTicks + stat.systemTicks).toBeGreaterThan(0);
});

test("counts fields from the last parenthesis, so a command with spaces and parentheses does not shift them", () => {
  const line = "4242 (a (b) c) S 1 777 777 0 -1 4194560 10 0 0 0 31 7 0 0 20 0 1 0 100 1000 50";
  expect(parseStat(line)).toEqual({ pid: 4242, command: "a (b) c", processGroup: 777, userTicks: 31, systemTicks: 7 });
  expect(() => parseStat("not a stat line")).toThrow(/not a \/proc stat line/);
});

test("the clock tick rate is what getconf reports, and the group's CPU time grows with work done in it", () => {
  expect(clockTicksPerSecond()).toBeGreaterThan(0);
  const group = ownGroup();
  expect(processesOfGroup(group).map((stat) => stat.pid)).toContain(process.pid);
  const before = groupCpuSeconds(group);
  const started = Date.now();
  let spin = 0;
  while (Date.now() - started < 150) spin += Math.sqrt(spin + 1);
  expect(spin).toBeGreaterThan(0);
  // 150 ms of busy loop is 15 ticks at 100 Hz; a few may be lost to rounding but not most.
  expect(groupCpuSeconds(group) - before).toBeGreaterThan(0.05);
});

test("the RSS sampler keeps the largest sum over the group, with each process's share at that moment", () => {
  const group = ownGroup();
  const own = residentKb(process.pid);
  expect(own).toBeGreaterThan(1024);
  expect(sampleGroupRss(group).totalKb).toBeGreaterThanOrEqual(own! / 2);

  const sampler = new RssSampler(20);
  sampler.watch(group);
  const ballast = Buffer.alloc(64 * 1024 * 1024, 1); // Touched, so it is resident.
  sampler.sample();
  const peak = sampler.peak(group)!;
  sampler.stop();
  expect(ballast[0]).toBe(1);
  expect(peak.samples).toBeGreaterThanOrEqual(2);
  expect(peak.peakMb).toBeGreaterThan(64);
  expect(peak.processes.map((entry) => entry.pid)).toContain(process.pid);
  expect(peak.processes.reduce((sum, entry) => sum + entry.rssMb, 0)).toBeCloseTo(peak.peakMb, 5);
  expect(sampler.peak(-1)).toBeNull();
});
