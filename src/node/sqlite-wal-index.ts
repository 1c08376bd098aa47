/**
 * @module node/sqlite-wal-index — whether another connection committed to a SQLite file in WAL mode,
 * read from the wal-index header at the start of its `-shm` file (sqlite.org/walformat.html: every
 * commit rewrites it, its change counter, frame count and salts with it) with one `pread`, instead of
 * `PRAGMA data_version`, whose read transaction costs two `fcntl` locks and an `fstat`.
 */
import { closeSync, openSync, readSync, realpathSync } from "node:fs";

/** The first copy of the header: the one a commit writes last. */
const HEADER_BYTES = 48;
/** The header's `iVersion` for every wal-index since SQLite 3.7.0 (native byte order). */
const WAL_INDEX_VERSION = 3007000;

/** A change token read at once, and the file it holds open. */
export interface WalIndexWatch {
  /** A string that differs from the last one returned whenever a commit happened in between. */
  version(): string;
  /** Close the `-shm` file. */
  close(): void;
}

/**
 * Watch the wal-index of the database at `filename` (call after the connection has read in WAL mode,
 * so that its `-shm` exists); undefined where the header cannot be read or does not look like one
 * (then the caller keeps `PRAGMA data_version`).
 */
export function watchWalIndex(filename: string): WalIndexWatch | undefined {
  if (process.platform !== "linux" && process.platform !== "darwin") return undefined;
  if (filename === "" || filename === ":memory:" || filename.startsWith("file:")) return undefined;
  let fd: number;
  try {
    // SQLite puts `-shm` beside the file a symbolic link names.
    fd = openSync(`${realpathSync(filename)}-shm`, "r");
  } catch {
    return undefined;
  }
  const seen = Buffer.alloc(HEADER_BYTES);
  const now = Buffer.alloc(HEADER_BYTES);
  const header = new DataView(now.buffer, now.byteOffset, HEADER_BYTES);
  let looksLikeHeader: boolean;
  try {
    looksLikeHeader = readSync(fd, now, 0, HEADER_BYTES, 0) === HEADER_BYTES && now[12] === 1
      && (header.getUint32(0, true) === WAL_INDEX_VERSION || header.getUint32(0, false) === WAL_INDEX_VERSION);
  } catch {
    looksLikeHeader = false;
  }
  if (!looksLikeHeader) {
    closeSync(fd);
    return undefined;
  }
  now.copy(seen);
  let changes = 0;
  let token = "wal:0";
  let open = true;
  return {
    version() {
      if (!open) return "closed";
      readSync(fd, now, 0, HEADER_BYTES, 0);
      // A header caught mid-write costs at most one change too many: until it is written, no reader sees that commit.
      if (!now.equals(seen)) {
        now.copy(seen);
        token = `wal:${++changes}`;
      }
      return token;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
