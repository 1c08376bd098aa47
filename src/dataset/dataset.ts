/**
 * @module dataset/dataset — what a dataset load yields: every record, normalised, by kind.
 */
import type {
  Account,
  Artifact,
  Engine,
  Entitlement,
  License,
  Package,
  Policy,
  Product,
  Release,
  Token,
  User,
} from "../model/records.js";

/** Every record of a dataset, normalised and with ids filled in. */
export interface Dataset {
  accounts: Account[];
  products: Product[];
  packages: Package[];
  engines: Engine[];
  releases: Release[];
  artifacts: Artifact[];
  entitlements: Entitlement[];
  policies: Policy[];
  users: User[];
  licenses: License[];
  tokens: Token[];
}

/** A dataset without records, for a load to fill. */
export function emptyDataset(): Dataset {
  return {
    accounts: [], products: [], packages: [], engines: [], releases: [], artifacts: [],
    entitlements: [], policies: [], users: [], licenses: [], tokens: [],
  };
}
