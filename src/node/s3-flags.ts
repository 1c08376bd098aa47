/**
 * @module node/s3-flags — `serve` and `import` options for S3-compatible blob storage, with
 * credentials from the standard `AWS_*` environment variables (never from a flag, so never in `ps`).
 */
import type { S3BlobStorageOptions } from "../blobs/s3/storage.js";

/** The `--s3-*` options, in `node:util` parseArgs form. */
export const S3_FLAGS = {
  "s3-bucket": { type: "string" },
  "s3-endpoint": { type: "string" },
  "s3-region": { type: "string" },
  "s3-prefix": { type: "string" },
  "s3-path-style": { type: "boolean" },
  "s3-multipart-threshold": { type: "string" },
  "s3-part-size": { type: "string" },
} as const;

/** Help lines of the `--s3-*` options. */
export const S3_FLAGS_USAGE = `  --s3-bucket NAME  keep artifact bytes in this S3-compatible bucket instead of --blobs;
                    credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN)
  --s3-endpoint URL the service (default https://s3.<region>.amazonaws.com; R2:
                    https://<ACCOUNT_ID>.r2.cloudflarestorage.com; MinIO: http://host:9000)
  --s3-region R     the bucket's region (default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1; R2: auto)
  --s3-prefix P     key prefix inside the bucket (e.g. releases/)
  --s3-path-style   address endpoint/bucket/key (MinIO and most self-hosted servers)
  --s3-multipart-threshold BYTES
                    declared sizes above this upload in parts (default 5368709120, S3's 5 GiB single-PUT limit)
  --s3-part-size BYTES
                    bytes per part, every part but the last (default 67108864; S3 refuses under 5242880)`;

/** A whole number of bytes from a flag. @throws {Error} for anything else. */
function bytesFlag(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || (name === "s3-part-size" && n < 1)) throw new Error(`--${name} must be a whole number of bytes${name === "s3-part-size" ? " (at least 1)" : ""}`);
  return n;
}

/**
 * The S3 storage options the flags ask for; null when no `--s3-*` flag is given.
 * @throws {Error} a message for the user when a flag is missing or the credentials are not set.
 */
export function s3OptionsFromFlags(values: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): S3BlobStorageOptions | null {
  const given = Object.keys(S3_FLAGS).filter((name) => values[name] !== undefined);
  if (given.length === 0) return null;
  const bucket = values["s3-bucket"];
  if (typeof bucket !== "string" || bucket === "") throw new Error(`--${given[0]} needs --s3-bucket NAME`);
  const region = (values["s3-region"] as string | undefined) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = (values["s3-endpoint"] as string | undefined) ?? `https://s3.${region}.amazonaws.com`;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId === undefined || accessKeyId === "" || secretAccessKey === undefined || secretAccessKey === "") {
    throw new Error("--s3-bucket needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  const prefix = values["s3-prefix"] as string | undefined;
  const multipartThreshold = bytesFlag(values, "s3-multipart-threshold");
  const partSize = bytesFlag(values, "s3-part-size");
  return {
    ...(multipartThreshold !== undefined ? { multipartThreshold } : {}),
    ...(partSize !== undefined ? { partSize } : {}),
    endpoint, region, bucket, accessKeyId, secretAccessKey,
    ...(sessionToken !== undefined && sessionToken !== "" ? { sessionToken } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    forcePathStyle: values["s3-path-style"] === true,
  };
}
