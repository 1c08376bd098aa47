/**
 * @module sql/fragment — SQL text with `?` placeholders and its parameters, built by a tagged template.
 */

/** A piece of SQL and the parameters its `?` placeholders stand for, in order. */
export interface Fragment {
  readonly text: string;
  readonly params: readonly unknown[];
}

const FRAGMENT = Symbol("sql.fragment");

function make(text: string, params: readonly unknown[]): Fragment {
  return Object.freeze({ text, params, [FRAGMENT]: true });
}

function isFragment(value: unknown): value is Fragment {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FRAGMENT] === true;
}

/** Build a fragment: interpolated fragments are inlined, every other value becomes a `?` parameter. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  let text = strings[0] as string;
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += "?";
      params.push(value);
    }
    text += strings[i + 1] as string;
  });
  return make(text, params);
}

/** Trusted SQL text without parameters (identifiers and keywords chosen by the code, never input). */
export function raw(text: string): Fragment {
  return make(text, []);
}

/** Fragments joined by a separator. */
export function join(parts: readonly Fragment[], separator: string): Fragment {
  return make(parts.map((p) => p.text).join(separator), parts.flatMap((p) => [...p.params]));
}

/** `(?, ?, …)` for a non-empty list of values. */
export function list(values: readonly unknown[]): Fragment {
  if (values.length === 0) throw new Error("list() needs at least one value");
  return make(`(${values.map(() => "?").join(", ")})`, values);
}

/** Disjunction of conditions; FALSE when there are none. */
export function any(parts: readonly Fragment[]): Fragment {
  return parts.length === 0 ? raw("FALSE") : sql`(${join(parts, " OR ")})`;
}
