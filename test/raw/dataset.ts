/**
 * The raw engine's test dataset, modelled on Keygen's `features/api/v1/engines/raw/show.feature`
 * (§4.4): products `cli`, `dup`, `relay`, `test`, plus `multi` for release-term ties. Every
 * artifact has a real blob file with distinct bytes, so end-to-end tests can compare sha256.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatasetFile } from "../../src/dataset/schema.js";

/** Fixed ids used in assertions. */
export const RAW_IDS = {
  account: "10000000-0000-4000-8000-000000000001",
  otherAccount: "10000000-0000-4000-8000-000000000002",
  cli: "10000000-0000-4000-8000-000000000011",
  dup: "10000000-0000-4000-8000-000000000012",
  relay: "10000000-0000-4000-8000-000000000013",
  test: "10000000-0000-4000-8000-000000000014",
  multi: "10000000-0000-4000-8000-000000000015",
  otherCli: "10000000-0000-4000-8000-000000000016",
  pkgRelay: "10000000-0000-4000-8000-000000000021",
  pkgTest: "10000000-0000-4000-8000-000000000022",
  userOwner: "10000000-0000-4000-8000-000000000031",
  userMember: "10000000-0000-4000-8000-000000000032",
  userNobody: "10000000-0000-4000-8000-000000000033",
  userAdmin: "10000000-0000-4000-8000-000000000034",
  policyCli: "10000000-0000-4000-8000-000000000041",
  policyCliToken: "10000000-0000-4000-8000-000000000042",
  policyRelay: "10000000-0000-4000-8000-000000000043",
  policyDup: "10000000-0000-4000-8000-000000000044",
  licenseCli: "10000000-0000-4000-8000-000000000051",
  licenseSuspended: "10000000-0000-4000-8000-000000000052",
} as const;

/** License keys of the dataset. */
export const KEYS = {
  cli: "test-key",
  cliExpired: "cli-expired-key",
  relay: "relay-key",
  relayPro: "relay-pro-key",
  dup: "dup-key",
} as const;

/** Raw tokens of the dataset (Keygen v3 shape). */
export const RAW_TOKENS = {
  admin: `admin-${"a".repeat(64)}v3`,
  productCli: `prod-${"c".repeat(64)}v3`,
  productRelay: `prod-${"d".repeat(64)}v3`,
  owner: `user-${"1".repeat(64)}v3`,
  member: `user-${"2".repeat(64)}v3`,
  nobody: `user-${"3".repeat(64)}v3`,
  suspended: `activ-${"5".repeat(32)}v3`,
  otherAdmin: `admin-${"e".repeat(64)}v3`,
} as const;

type Status = "DRAFT" | "PUBLISHED" | "YANKED";
interface Rel {
  product: string;
  package?: string;
  version: string;
  status?: Status;
  tag?: string;
  day: number;
  entitlements?: string[];
  files: Array<string | { name: string; status: "WAITING" }>;
}

/** Releases of the raw dataset, in creation order (`day` of January 2026 is `created`). */
const RELEASES: Rel[] = [
  { product: "cli", version: "0.9.0", status: "YANKED", day: 2, files: ["keygen_linux_amd64"] },
  { product: "cli", version: "1.0.0", day: 5, files: ["keygen_linux_amd64", "keygen_darwin_arm64", "keygen_windows_arm64.exe", "docs/README.md"] },
  { product: "cli", version: "1.1.0", tag: "latest", day: 20, files: ["keygen_linux_amd64", "keygen_darwin_arm64", "keygen_windows_arm64.exe"] },
  { product: "cli", version: "1.2.0-beta.1", day: 25, files: ["keygen_linux_amd64"] },
  { product: "dup", version: "0.9.0", day: 3, files: ["keygen_linux_amd64"] },
  { product: "dup", version: "0.9.1", status: "DRAFT", day: 4, files: ["keygen_linux_amd64"] },
  { product: "dup", version: "0.9.2", day: 6, entitlements: ["PRO"], files: ["keygen_linux_amd64"] },
  { product: "dup", version: "0.9.5", day: 7, files: ["other.txt"] },
  { product: "dup", version: "1.0.0-beta.1", day: 8, files: ["keygen_linux_amd64"] },
  { product: "relay", package: "relay", version: "1.0.0-beta.1", day: 5, files: ["install.sh", "relay_linux_amd64"] },
  { product: "relay", package: "relay", version: "1.0.0-beta.2", status: "DRAFT", day: 6, files: ["relay_linux_amd64"] },
  { product: "relay", package: "relay", version: "1.0.0", tag: "latest", day: 7, files: ["relay_linux_amd64", { name: "relay_windows_386.exe", status: "WAITING" }] },
  { product: "relay", package: "relay", version: "2.0.0", day: 8, entitlements: ["PRO"], files: ["relay_linux_amd64"] },
  { product: "test", package: "test", version: "1.2.3", tag: "latest", day: 5, files: ["myapp.app"] },
  { product: "multi", version: "1.0.0", day: 5, files: ["a.bin", "only-in-1.bin"] },
  { product: "multi", version: "2.0.0", tag: "1.0.0", day: 6, files: ["a.bin"] },
  { product: "multi", version: "0.5.0", tag: "1.0.0-old", day: 7, files: ["a.bin"] },
];

const day = (d: number) => `2026-01-${String(d).padStart(2, "0")}T00:00:00Z`;
const releaseId = (i: number) => `10000000-0000-4000-8000-0000000001${String(i).padStart(2, "0")}`;
const artifactId = (i: number, j: number) => `10000000-0000-4000-8000-00000002${String(i).padStart(2, "0")}${String(j).padStart(2, "0")}`;

/** What a test needs from a written raw dataset. */
export interface RawFixture {
  /** Path of the dataset JSON file. */
  file: string;
  /** Folder holding the file and its blobs (remove after use). */
  dir: string;
  /** Artifact id of `filename` in the release `version` of product `code`. */
  artifact(code: string, version: string, filename: string): string;
  /** sha256 hex of an artifact's bytes. */
  sha256(artifactId: string): string;
}

/** Options of {@link writeRawDataset}. */
export interface RawDatasetOptions {
  /** Distribution strategy of `cli` (Keygen's tests flip it per scenario); default LICENSED. */
  cliStrategy?: "LICENSED" | "OPEN" | "CLOSED";
}

/** Write the raw dataset and its blob files into a fresh temp folder. */
export function writeRawDataset(options: RawDatasetOptions = {}): RawFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "raw-engine-"));
  const ids = new Map<string, string>();
  const hashes = new Map<string, string>();
  const releases: NonNullable<DatasetFile["accounts"][number]["releases"]> = [];
  const artifacts: NonNullable<DatasetFile["accounts"][number]["artifacts"]> = [];
  RELEASES.forEach((r, i) => {
    const rid = releaseId(i);
    releases.push({
      id: rid, product: r.product, package: r.package ?? null, version: r.version, status: r.status ?? "PUBLISHED",
      tag: r.tag ?? null, entitlements: r.entitlements ?? [], created: day(r.day), description: `notes ${r.version}`,
    });
    r.files.forEach((f, j) => {
      const name = typeof f === "string" ? f : f.name;
      const aid = artifactId(i, j);
      ids.set(`${r.product}|${r.version}|${name}`, aid);
      const base = { id: aid, release: rid, filename: name, created: day(r.day) };
      if (typeof f !== "string") {
        artifacts.push({ ...base, status: f.status });
        return;
      }
      const bytes = Buffer.from(`${r.product} ${r.version} ${name}\n${"x".repeat(i * 7 + j)}\n`);
      const blob = `blobs/${aid}.bin`;
      fs.mkdirSync(path.join(dir, "blobs"), { recursive: true });
      fs.writeFileSync(path.join(dir, blob), bytes);
      hashes.set(aid, createHash("sha256").update(bytes).digest("hex"));
      artifacts.push({ ...base, file: blob });
    });
  });
  const I = RAW_IDS;
  const data: DatasetFile = {
    accounts: [
      {
        id: I.account, slug: "test1", name: "Test 1", secretKey: "test1-secret-key-0123456789abcdef", created: day(1),
        products: [
          { id: I.cli, code: "cli", name: "Keygen CLI", distributionStrategy: options.cliStrategy ?? "LICENSED", created: day(1) },
          { id: I.dup, code: "dup", name: "Dup", distributionStrategy: "LICENSED", created: day(1) },
          { id: I.relay, code: "relay", name: "Relay", distributionStrategy: "LICENSED", created: day(1) },
          { id: I.test, code: "test", name: "Test", distributionStrategy: "LICENSED", created: day(1) },
          { id: I.multi, code: "multi", name: "Multi", distributionStrategy: "OPEN", created: day(1) },
        ],
        packages: [
          { id: I.pkgRelay, product: "relay", key: "relay", name: "Relay", engine: "raw", created: day(2) },
          { id: I.pkgTest, product: "test", key: "test", name: "Test", engine: "tauri", created: day(2) },
        ],
        entitlements: [{ code: "PRO", name: "Pro" }],
        releases,
        artifacts,
        policies: [
          { id: I.policyCli, product: "cli", name: "CLI", authenticationStrategy: "LICENSE", expirationStrategy: "RESTRICT_ACCESS" },
          { id: I.policyCliToken, product: "cli", name: "CLI tokens", authenticationStrategy: "MIXED" },
          { id: I.policyRelay, product: "relay", name: "Relay", authenticationStrategy: "LICENSE" },
          { id: I.policyDup, product: "dup", name: "Dup", authenticationStrategy: "LICENSE" },
        ],
        users: [
          { id: I.userOwner, email: "owner@test1.test" },
          { id: I.userMember, email: "member@test1.test" },
          { id: I.userNobody, email: "nobody@test1.test" },
          { id: I.userAdmin, email: "admin@test1.test", role: "admin" },
        ],
        licenses: [
          { id: I.licenseCli, policy: I.policyCli, key: KEYS.cli, owner: I.userOwner, users: [I.userMember] },
          // Expires between cli 1.0.0 (Jan 5) and 1.1.0 (Jan 20): RESTRICT_ACCESS keeps only releases before it.
          { policy: I.policyCli, key: KEYS.cliExpired, expiry: "2026-01-10T00:00:00Z" },
          { id: I.licenseSuspended, policy: I.policyCliToken, key: "cli-suspended-key", suspended: true },
          { policy: I.policyRelay, key: KEYS.relay },
          { policy: I.policyRelay, key: KEYS.relayPro, entitlements: ["PRO"] },
          { policy: I.policyDup, key: KEYS.dup },
        ],
        tokens: [
          { bearer: { type: "user", id: I.userAdmin }, token: RAW_TOKENS.admin },
          { bearer: { type: "product", id: I.cli }, token: RAW_TOKENS.productCli },
          { bearer: { type: "product", id: I.relay }, token: RAW_TOKENS.productRelay },
          { bearer: { type: "user", id: I.userOwner }, token: RAW_TOKENS.owner },
          { bearer: { type: "user", id: I.userMember }, token: RAW_TOKENS.member },
          { bearer: { type: "user", id: I.userNobody }, token: RAW_TOKENS.nobody },
          { bearer: { type: "license", id: I.licenseSuspended }, token: RAW_TOKENS.suspended },
        ],
      },
      {
        id: I.otherAccount, slug: "test2", name: "Test 2", secretKey: "test2-secret-key-0123456789abcdef",
        products: [{ id: I.otherCli, code: "cli", name: "Other CLI", distributionStrategy: "OPEN" }],
        releases: [{ id: "10000000-0000-4000-8000-000000000199", product: "cli", version: "1.0.0", status: "PUBLISHED" }],
        artifacts: [{ id: "10000000-0000-4000-8000-000000009999", release: "10000000-0000-4000-8000-000000000199", filename: "keygen_linux_amd64", status: "UPLOADED", filesize: 1, checksum: "a".repeat(64) }],
        users: [{ id: "10000000-0000-4000-8000-000000000035", email: "admin@test2.test", role: "admin" }],
        tokens: [{ bearer: { type: "user", id: "10000000-0000-4000-8000-000000000035" }, token: RAW_TOKENS.otherAdmin }],
      },
    ],
  };
  const file = path.join(dir, "dataset.json");
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  return {
    file,
    dir,
    artifact(code, version, filename) {
      const id = ids.get(`${code}|${version}|${filename}`);
      if (id === undefined) throw new Error(`no artifact ${code} ${version} ${filename}`);
      return id;
    },
    sha256(id) {
      const h = hashes.get(id);
      if (h === undefined) throw new Error(`no blob for ${id}`);
      return h;
    },
  };
}
