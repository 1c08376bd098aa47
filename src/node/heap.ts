/**
 * @module node/heap — hand a large load's garbage back to the system once it is done.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Run one full garbage collection now; false where the runtime does not allow it. After `serve --data`
 * builds its store, the file's bytes, its text and its parsed tree (each the size of the file or more)
 * are garbage, but with no allocation after start-up V8 would not collect them for a long while, and
 * the process would keep twice the memory it uses.
 */
export function collectGarbage(): boolean {
  try {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
    return true;
  } catch {
    return false;
  }
}
