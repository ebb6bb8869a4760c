import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set size in bytes, all threads.
 *
 * On Linux it is the kernel's VmHWM for this process's memory, which starts afresh at `exec`. Node's
 * `process.resourceUsage().maxRSS` (getrusage) is kept across `exec`, so a `srvv` spawned by a large parent
 * (a benchmark holding its corpus, say) reported the parent's size instead of its own; it remains the fallback
 * where /proc is not available.
 */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux, or /proc not mounted
  }
  return process.resourceUsage().maxRSS * 1024;
}
