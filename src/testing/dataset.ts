/**
 * @module testing/dataset — datasets written inside a test (no files), and an engine context for one caller of them.
 */
import { ANONYMOUS, scopeOf, type Principal } from "../access/principal.js";
import { authenticate } from "../auth/authenticate.js";
import { DatasetError } from "../core/errors.js";
import { loadDataset, type Dataset } from "../dataset/load.js";
import type { DatasetAccountInput } from "../dataset/schema.js";
import type { EngineContext } from "../engines/context.js";
import { createMemoryStore } from "../store/memory.js";
import type { Store } from "../store/types.js";

/** One account of the dataset format (see the dataset docs), with `slug`, `name` and `secretKey` optional. */
export type TestAccount = Omit<DatasetAccountInput, "slug" | "name" | "secretKey"> & Partial<Pick<DatasetAccountInput, "slug" | "name" | "secretKey">>;

/** Defaults a test opts into, for records that name no `status`. */
export interface TestDatasetOptions {
  /** Artifacts without a `status` are UPLOADED (as if their bytes were stored) instead of the dataset default WAITING. */
  uploaded?: boolean;
  /** Releases without a `status` are PUBLISHED instead of the dataset default DRAFT. */
  published?: boolean;
}

/** Who asks, and when, in {@link testContext}. */
export interface TestCaller {
  /** A license key, sent as `Authorization: License <key>`. */
  license?: string;
  /** A token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The request's instant (default: the current time). */
  now?: Date;
  /** Origin of the URLs engines emit (default `http://localhost`). */
  origin?: string;
  /** The account's slug or id, when the store has several (default: `test`). */
  account?: string;
}

/** The slug a {@link TestAccount} gets when it names none. */
export const TEST_ACCOUNT_SLUG = "test";

/**
 * Load one account written in code: no files are read, ids are derived from natural keys, and
 * records without a `status` get the defaults the options ask for.
 * @throws {DatasetError} listing every problem (JSON path and reason) in its message and `problems`.
 * @example await testDataset({ products: [...], releases: [...] }, { published: true, uploaded: true })
 */
export function testDataset(account: TestAccount, options: TestDatasetOptions = {}): Promise<Dataset> {
  const input: DatasetAccountInput = {
    ...account,
    slug: account.slug ?? TEST_ACCOUNT_SLUG,
    name: account.name ?? "Test",
    secretKey: account.secretKey ?? "test-secret-key-not-secret",
  };
  if (options.published === true && input.releases !== undefined) {
    input.releases = input.releases.map((r) => (r.status === undefined ? { ...r, status: "PUBLISHED" } : r));
  }
  if (options.uploaded === true && input.artifacts !== undefined) {
    input.artifacts = input.artifacts.map((a) => (a.status === undefined && a.file == null ? { ...a, status: "UPLOADED" } : a));
  }
  return loadDataset({ accounts: [input] }).catch((error: unknown) => {
    // A test's output shows the message: list every problem in it, not only their count.
    if (error instanceof DatasetError) error.message += `:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`;
    throw error;
  });
}

/**
 * The `EngineContext` an engine function gets for one caller: anonymous, or authenticated by a
 * license key or token exactly as a request carrying it would be, over a memory store of `source`
 * (an account written in code) or over a given store.
 * @throws {UnauthorizedError} / {ForbiddenError} for a credential a request would be refused for.
 * @example const ctx = await testContext(account, { published: true, uploaded: true, license: "KEY-1" })
 */
export async function testContext(source: TestAccount | Store, options: TestCaller & TestDatasetOptions = {}): Promise<EngineContext> {
  const store = isStore(source) ? source : createMemoryStore(await testDataset(source, options));
  const wanted = options.account ?? TEST_ACCOUNT_SLUG;
  const account = await store.getAccount(wanted);
  if (account === null) throw new Error(`testContext: the store has no account '${wanted}' (pass { account: "<slug or id>" })`);
  const now = options.now ?? new Date();
  const authorization = options.license !== undefined ? `License ${options.license}` : options.token !== undefined ? `Bearer ${options.token}` : null;
  const principal: Principal = authorization === null ? ANONYMOUS : await authenticate({ store, now }, account, { authorization, query: new URLSearchParams() });
  return {
    store, now, account, principal,
    scope: scopeOf(principal, now),
    lookupScope: scopeOf(principal, now, true),
    origin: options.origin ?? "http://localhost",
  };
}

function isStore(source: TestAccount | Store): source is Store {
  return typeof (source as Partial<Store>).getAccount === "function";
}
