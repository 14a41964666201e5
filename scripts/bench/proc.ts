/**
 * Reads a process's CPU time and memory from /proc (Linux), the same way for the service and
 * for every baseline child, so their figures compare.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the whole line are 12 and 13 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/** A /proc/<pid>/status field in MiB: VmRSS (now) or VmHWM (peak since the last reset). */
export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (`5` to clear_refs, Linux 4.0+),
 * so that the next VmHWM is the peak of the work that follows, not of the process's life.
 */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** One measured stretch of work: CPU seconds used and the peak RSS in MiB. */
export interface Usage {
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
}

/** Starts measuring `pid`: resets its peak RSS, notes its CPU; call the result to finish. */
export function startUsage(pid: number): () => Usage {
  resetPeakRss(pid);
  const cpuBefore = cpuSeconds(pid);
  return () => ({
    cpuSeconds: cpuSeconds(pid) - cpuBefore,
    peakRssMiB: memoryMiB(pid, 'VmHWM'),
  });
}
