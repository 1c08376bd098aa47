/**
 * Stores seen through a proxy: one that records which of its methods are called, and one whose
 * licenses can be suspended and tokens revoked behind its back, as a host's own license database would.
 */
import type { License, Token } from "../../src/model/records.js";

/** The store, recording in `asked` the name of each method called whose name matches `names`. */
export function countingStore<S extends object>(store: S, names: RegExp, asked: string[]): S {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (typeof name === "string" && names.test(name)) asked.push(name);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A store seen through {@link credentialChangingStore}, and the two changes made behind its back. */
export interface CredentialChanges<S> {
  store: S;
  /** From now on the license with this key reads as suspended. */
  suspend(key: string): void;
  /** From now on the tokens of this bearer are gone. */
  revoke(bearerId: string): void;
}

/** The store, with licenses suspended and tokens revoked behind its back (nothing at first), as a host's own license database would. */
export function credentialChangingStore<S extends object>(inner: S): CredentialChanges<S> {
  const suspended = new Set<string>();
  const revoked = new Set<string>();
  const suspend = (license: License | null) => (license !== null && suspended.has(license.key) ? { ...license, suspended: true } : license);
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      if (name === "getLicenseByKey" || name === "getLicense") return async (...args: unknown[]) => suspend(await value.apply(target, args));
      if (name === "getTokenByDigest") return async (...args: unknown[]) => {
        const token = (await value.apply(target, args)) as Token | null;
        return token !== null && revoked.has(token.bearerId) ? null : token;
      };
      return value.bind(target);
    },
  });
  return { store, suspend: (key) => void suspended.add(key), revoke: (bearerId) => void revoked.add(bearerId) };
}
