/**
 * @module dataset/references — one account's records by id and natural key, so that references
 * (`product`, `package`, `release`, `policy`, `owner`, bearers, entitlement codes) resolve as written.
 */
import type { License, Package, Policy, Product, Release, User } from "../model/records.js";
import type { Problem } from "./problems.js";

/** One account's records, indexed as its sections are loaded; each lookup finds the first record with the id or key. */
export class AccountRefs {
  readonly productsById = new Map<string, Product>();
  readonly productsByCode = new Map<string, Product>();
  readonly packagesById = new Map<string, Package>();
  readonly packagesByKey = new Map<string, Package>();
  readonly entitlementCodes = new Set<string>();
  readonly releaseById = new Map<string, Release>();
  /** Releases by version text: one bare, several in a list (most versions have one release). */
  readonly releasesByVersion = new Map<string, Release | Release[]>();
  readonly policiesById = new Map<string, Policy>();
  readonly policiesByName = new Map<string, Policy>();
  readonly usersById = new Map<string, User>();
  readonly usersByEmail = new Map<string, User>();
  readonly licensesById = new Map<string, License>();
  readonly licensesByKey = new Map<string, License>();

  /** The product with this id or code. */
  product(ref: string): Product | null {
    return this.productsById.get(ref) ?? this.productsByCode.get(ref) ?? null;
  }

  /** The package with this id or key. */
  package(ref: string): Package | null {
    return this.packagesById.get(ref) ?? this.packagesByKey.get(ref) ?? null;
  }

  /** The user with this id or e-mail address (case-insensitive). */
  user(ref: string): User | null {
    return this.usersById.get(ref) ?? this.usersByEmail.get(ref.toLowerCase()) ?? null;
  }

  /** The policy with this id or name. */
  policy(ref: string): Policy | null {
    return this.policiesById.get(ref) ?? this.policiesByName.get(ref) ?? null;
  }

  /** The license with this id or key. */
  license(ref: string): License | null {
    return this.licensesById.get(ref) ?? this.licensesByKey.get(ref) ?? null;
  }

  /**
   * The release an artifact names: by id, by a version unique in the account, or as
   * `<package key or product code>@<version>`; when none or several match, the problem's message
   * (a string), so that the caller spells the problem's path only then.
   */
  release(ref: string): Release | string {
    const release = this.releaseById.get(ref);
    if (release !== undefined) return release;
    const atSign = ref.lastIndexOf("@");
    const owner = atSign > 0 ? ref.slice(0, atSign) : null;
    const sameVersion = this.releasesByVersion.get(atSign > 0 ? ref.slice(atSign + 1) : ref) ?? [];
    const byVersion = (Array.isArray(sameVersion) ? sameVersion : [sameVersion]).filter((r) =>
      owner === null || (r.packageId !== null ? this.packagesById.get(r.packageId)?.key === owner : this.product(owner)?.id === r.productId),
    );
    if (byVersion.length === 1) return byVersion[0] as Release;
    return byVersion.length > 1 ? `'${ref}' is ambiguous: use the release id or '<package or product>@<version>'` : `no release '${ref}'`;
  }

  /** Note a problem for every code that names no entitlement of the account (`at` gives the list's path). */
  checkCodes(codes: readonly string[] | undefined, at: () => string, problems: Problem[]): void {
    if (codes === undefined) return;
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k] as string;
      if (!this.entitlementCodes.has(code)) problems.push({ path: `${at()}[${k}]`, message: `no entitlement with code '${code}'` });
    }
  }
}
