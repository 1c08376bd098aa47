/**
 * @module bench/lib/pin — servers on one core, load on the other: every HTTP server a workload
 * starts (ours and each peer) runs on core 0, and wrk and the bench process itself (W6's publisher)
 * on core 1, so a server never shares its core with what loads it. Without `taskset` or with fewer
 * than two cores nothing is pinned (the run says so in its machine line).
 */
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** The core servers run on, and the core load generators run on. */
export const SERVER_CORE = "0";
export const LOAD_CORE = "1";

let known;
/** Whether processes can be pinned here (taskset present, two cores or more). */
export function canPin() {
  if (known === undefined) {
    try {
      execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
      known = availableParallelism() >= 2;
    } catch {
      known = false;
    }
  }
  return known;
}

/** `[command, args]` that run `command args` on `core` (unchanged when pinning is not possible). */
export function pinned(core, command, args) {
  return canPin() ? ["taskset", ["-c", core, command, ...args]] : [command, args];
}

/** Move this process (every thread) to `core`, or back to every core with `null`. */
export function pinSelf(core) {
  if (!canPin()) return;
  const cores = core ?? `0-${availableParallelism() - 1}`;
  execFileSync("taskset", ["-a", "-p", "-c", cores, String(process.pid)], { stdio: "ignore" });
}
