/**
 * @module sql/fragment — SQL text with `?` placeholders and its parameters, built by a tagged template.
 *
 * A fragment is a small tree of the pieces it was built from; its text, its parameters and its shape
 * are each worked out once, when first asked. The shape is a short key that determines the text (the
 * template call sites, trusted raw texts and list lengths it is made of, never a parameter's value):
 * a client finds its prepared statement by the shape, so a statement asked again with other values
 * costs no text building and no hashing of the whole SQL text.
 */

/** A piece of SQL and the parameters its `?` placeholders stand for, in order. */
export interface Fragment {
  readonly text: string;
  readonly params: readonly unknown[];
  /** A key equal for two fragments exactly when their texts are equal (and short beside the text). */
  readonly shape: string;
}

/** Ids of template call sites (each tagged template's strings array is one object for the life of the program). */
const templateIds = new Map<readonly string[], string>();
/** Ids of trusted raw texts and separators (a fixed set chosen by the code). */
const textIds = new Map<string, string>();
/** Beyond this many distinct texts (none of the store's queries come near) a text stands for itself. */
const MAX_TEXT_IDS = 10_000;

function textId(text: string): string {
  let id = textIds.get(text);
  if (id !== undefined) return id;
  if (textIds.size >= MAX_TEXT_IDS) return `${text.length}:${text}`;
  textIds.set(text, (id = String(textIds.size)));
  return id;
}

abstract class Node implements Fragment {
  private textMemo: string | undefined;
  private paramsMemo: unknown[] | undefined;
  private shapeMemo: string | undefined;

  get text(): string {
    return (this.textMemo ??= this.buildText());
  }
  get params(): readonly unknown[] {
    if (this.paramsMemo === undefined) {
      const out: unknown[] = [];
      this.pushParams(out);
      this.paramsMemo = out;
    }
    return this.paramsMemo;
  }
  get shape(): string {
    return (this.shapeMemo ??= this.buildShape());
  }
  protected abstract buildText(): string;
  protected abstract buildShape(): string;
  /** Append this fragment's parameters to `out`, in placeholder order. */
  abstract pushParams(out: unknown[]): void;
}

class Template extends Node {
  constructor(private readonly strings: readonly string[], private readonly values: readonly unknown[]) {
    super();
  }
  protected buildText(): string {
    const { strings, values } = this;
    let text = strings[0] as string;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      text += (value instanceof Node ? value.text : "?") + (strings[i + 1] as string);
    }
    return text;
  }
  protected buildShape(): string {
    let id = templateIds.get(this.strings);
    if (id === undefined) templateIds.set(this.strings, (id = `t${templateIds.size}`));
    const { values } = this;
    if (values.length === 0) return id;
    let shape = `${id}(`;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      shape += (i === 0 ? "" : ",") + (value instanceof Node ? value.shape : "?");
    }
    return `${shape})`;
  }
  pushParams(out: unknown[]): void {
    const { values } = this;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value instanceof Node) value.pushParams(out);
      else out.push(value);
    }
  }
}

class Raw extends Node {
  constructor(private readonly raw: string) {
    super();
  }
  protected buildText(): string {
    return this.raw;
  }
  protected buildShape(): string {
    return `r${textId(this.raw)}`;
  }
  pushParams(): void {}
}

class Joined extends Node {
  constructor(private readonly parts: readonly Node[], private readonly separator: string) {
    super();
  }
  protected buildText(): string {
    const { parts, separator } = this;
    let text = "";
    for (let i = 0; i < parts.length; i++) text += (i === 0 ? "" : separator) + (parts[i] as Node).text;
    return text;
  }
  protected buildShape(): string {
    const { parts } = this;
    const first = parts[0]?.shape ?? "";
    let same = true;
    let shape = "";
    for (let i = 0; i < parts.length; i++) {
      const part = (parts[i] as Node).shape;
      same &&= part === first;
      shape += (i === 0 ? "" : ",") + part;
    }
    // Rows of one bulk statement share a shape: the key names it once with the count.
    return `j${textId(this.separator)}(${same ? `${parts.length}*${first}` : shape})`;
  }
  pushParams(out: unknown[]): void {
    for (const part of this.parts) part.pushParams(out);
  }
}

class List extends Node {
  constructor(private readonly values: readonly unknown[]) {
    super();
  }
  protected buildText(): string {
    return `(${"?, ".repeat(this.values.length - 1)}?)`;
  }
  protected buildShape(): string {
    return `l${this.values.length}`;
  }
  pushParams(out: unknown[]): void {
    for (const value of this.values) out.push(value);
  }
}

class Given extends Node {
  constructor(private readonly given: string, private readonly values: readonly unknown[]) {
    super();
  }
  protected buildText(): string {
    return this.given;
  }
  protected buildShape(): string {
    return `s${this.given.length}:${this.given}`;
  }
  pushParams(out: unknown[]): void {
    for (const value of this.values) out.push(value);
  }
}

/** Build a fragment: interpolated fragments are inlined, every other value becomes a `?` parameter. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  return new Template(strings, values);
}

/** Trusted SQL text without parameters (identifiers and keywords chosen by the code, never input). */
export function raw(text: string): Fragment {
  return new Raw(text);
}

/** Fragments joined by a separator. */
export function join(parts: readonly Fragment[], separator: string): Fragment {
  return new Joined(parts as readonly Node[], separator);
}

/** `(?, ?, …)` for a non-empty list of values. */
export function list(values: readonly unknown[]): Fragment {
  if (values.length === 0) throw new Error("list() needs at least one value");
  return new List(values);
}

/** A statement of trusted text whose `?` placeholders were written by the code, with their parameters (bulk statements). */
export function statement(text: string, params: readonly unknown[]): Fragment {
  return new Given(text, params);
}

const FALSE = raw("FALSE");

/** Disjunction of conditions; FALSE when there are none. */
export function any(parts: readonly Fragment[]): Fragment {
  return parts.length === 0 ? FALSE : sql`(${join(parts, " OR ")})`;
}
