/**
 * @module core/filetype — an artifact's filetype from its filename, as keygen-cli infers it.
 */

/**
 * The filetype of a filename, as keygen-cli infers it (its extension, without the dot, lower-cased),
 * keeping compound tarball extensions whole (`.tar.gz` is `tar.gz`, so `app.app.tar.gz` is
 * `tar.gz`); null when there is none or it is a number (`libfoo.so.1`).
 */
export function inferFiletype(filename: string): string | null {
  const name = filename.toLowerCase();
  const tar = /\.(tar\.[a-z0-9]+)$/.exec(name);
  if (tar !== null) return tar[1] as string;
  const dot = name.lastIndexOf(".");
  if (dot < 0 || dot === name.length - 1) return null;
  const ext = name.slice(dot + 1);
  if (/^\d+$/.test(ext)) return null;
  return ext;
}
