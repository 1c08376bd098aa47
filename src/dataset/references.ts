/**
 * @module dataset/references — one account's records by id and natural key, so that references
 * (`product`, `package`, `release`, `policy`, `owner`, bearers, entitlement codes) resolve as written.
 */
import type { License, Package, Policy, Product, Release, User } from "../model/records.js";
import { ID_KIND, type IdTable } from "./ids.js";
import type { Problem } from "./problems.js";

/** One account's records, indexed as its sections are loaded; each lookup finds the first record with the id or key. */
export class AccountRefs {
  readonly productsById = new Map<string, Product>();
  readonly productsByCode = new Map<string, Product>();
  readonly packagesById = new Map<string, Package>();
  readonly packagesByKey = new Map<string, Package>();
  readonly entitlementCodes = new Set<string>();
  /** Releases whose id another record claimed first (the rest are found through the id table), the last of each id. */
  readonly releaseDuplicates = new Map<string, Release>();
  /** The account's releases in order (set by the releases section); by version only once a reference needs it. */
  releases: Release[] = [];
  private releasesByVersion: Map<string, Release[]> | undefined;
  readonly policiesById = new Map<string, Policy>();
  readonly policiesByName = new Map<string, Policy>();
  readonly usersById = new Map<string, User>();
  readonly usersByEmail = new Map<string, User>();
  readonly licensesById = new Map<string, License>();
  readonly licensesByKey = new Map<string, License>();

  constructor(
    private readonly accountId: string,
    private readonly ids: IdTable,
  ) {}

  /** The account's release with this id (the last one, when several have it). */
  releaseById(id: string): Release | undefined {
    const duplicate = this.releaseDuplicates.get(id);
    if (duplicate !== undefined) return duplicate;
    const n = this.ids.find(id);
    if (n < 0 || this.ids.kindAt[n] !== ID_KIND.RELEASE) return undefined;
    const release = this.ids.recordAt[n] as Release;
    return release.accountId === this.accountId ? release : undefined;
  }

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
   * `<package key or product code>@<version>`; a problem at `at` when none or several match.
   */
  release(ref: string, at: () => string, problems: Problem[]): Release | undefined {
    let release = this.releaseById(ref);
    if (release !== undefined) return release;
    const atSign = ref.lastIndexOf("@");
    const owner = atSign > 0 ? ref.slice(0, atSign) : null;
    const byVersion = (this.versions().get(atSign > 0 ? ref.slice(atSign + 1) : ref) ?? []).filter((r) =>
      owner === null || (r.packageId !== null ? this.packagesById.get(r.packageId)?.key === owner : this.product(owner)?.id === r.productId),
    );
    release = byVersion.length === 1 ? byVersion[0] : undefined;
    if (release === undefined) {
      problems.push({ path: at(), message: byVersion.length > 1 ? `'${ref}' is ambiguous: use the release id or '<package or product>@<version>'` : `no release '${ref}'` });
    }
    return release;
  }

  /** The account's releases by version, made on first use. */
  private versions(): Map<string, Release[]> {
    if (this.releasesByVersion !== undefined) return this.releasesByVersion;
    const byVersion = new Map<string, Release[]>();
    for (const r of this.releases) {
      const same = byVersion.get(r.version);
      if (same) same.push(r);
      else byVersion.set(r.version, [r]);
    }
    return (this.releasesByVersion = byVersion);
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
