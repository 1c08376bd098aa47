/**
 * @module testing/suite — what both conformance suites share: tests named by the store methods they
 * use (for `only`/`skip`), and assertions that show records by natural key with the rule they check.
 */
import { expect, it } from "vitest";
import { STORE_METHODS, WRITE_METHODS } from "../store/methods.js";
import type { Store } from "../store/types.js";
import type { RecordNames } from "./names.js";

export { STORE_METHODS, WRITE_METHODS };

/** A method of the read or write contract. */
export type StoreMethod = (typeof STORE_METHODS)[number] | (typeof WRITE_METHODS)[number];

/** Which tests of a suite run, by the store methods they use. */
export interface MethodFilter {
  /** Run only the tests that use at least one of these methods. */
  only?: readonly StoreMethod[];
  /** Skip every test that uses one of these methods (e.g. one your store does not implement yet). */
  skip?: readonly StoreMethod[];
}

/** `it(title, methods, fn)`: a test named with the methods it uses, skipped as the filter says. */
export type MethodTest = (title: string, methods: readonly StoreMethod[], fn: () => Promise<void>) => void;

/**
 * The `it` of a suite under `filter`.
 * @throws {TypeError} when `only` or `skip` names no method of the contracts.
 */
export function methodTests(filter: MethodFilter, known: readonly StoreMethod[]): MethodTest {
  for (const name of [...(filter.only ?? []), ...(filter.skip ?? [])]) {
    if (!known.includes(name)) throw new TypeError(`'${String(name)}' is not a method this suite tests; it tests ${known.join(", ")}`);
  }
  return (title, methods, fn) => {
    const wanted = filter.only === undefined || methods.some((m) => filter.only?.includes(m) === true);
    const skipped = methods.some((m) => filter.skip?.includes(m) === true);
    (wanted && !skipped ? it : it.skip)(`${title} [${methods.join(", ")}]`, fn);
  };
}

/** `check(actual)`: vitest's `expect`, with ids shown as natural keys and the test's rule as the message. */
export type Check = <T>(actual: T) => ReturnType<typeof expect<T>>;

/** The `check` of a suite whose records `names` knows. */
export function namedCheck(names: RecordNames): Check {
  return <T>(actual: T) => {
    const test = expect.getState().currentTestName ?? "";
    // "store conformance: x > upgrades > answers … [findUpgrade]" → "upgrades: answers … [findUpgrade]"
    const rule = test.split(" > ").slice(1).join(": ");
    return renaming(expect(names.rename(actual), rule), names) as ReturnType<typeof expect<T>>;
  };
}

function renaming<T extends object>(assertion: T, names: RecordNames): T {
  return new Proxy(assertion, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value === "function") return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map((a) => names.rename(a)));
      // `.not`, `.rejects`, `.resolves`: the same renaming on the chained assertion.
      if (value !== null && typeof value === "object") return renaming(value, names);
      return value;
    },
  });
}

/** `store`, learning the name of every record it answers (records a test creates included). */
export function learningStore<S extends Store>(store: S, names: RecordNames): S {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) return out.then((v: unknown) => (names.learn(v), v));
        return out;
      };
    },
  });
}
