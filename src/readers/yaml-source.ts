/**
 * @file Generic YAML specs: parse text with source positions, validate it with a zod schema, and report
 * every problem as a located diagnostic (file:line:col with the line and a caret). Every spec kind
 * (architectures, problems, mappings, Timeloop inputs, later designs and workloads) goes through here.
 *
 * Codes: FM401 YAML syntax, FM402 missing key, FM403 wrong type, FM404 unknown key, FM405 invalid value.
 * Later checks that need a location (a name that does not resolve, a mapping that does not fit) use
 * `locate` with the path of the offending value.
 *
 * Two parsers, for speed: js-yaml reads the text into plain values (about 4x cheaper than a positioned
 * parse, which was most of a `fusemax model` run), and the `yaml` package's positioned document is built
 * only when something needs a position (a diagnostic, `locate`) or edits the document (`--set`). Both
 * read YAML 1.2's core schema; a text js-yaml rejects is parsed by `yaml`, which reports the error.
 */
import { CORE_SCHEMA, load as loadPlain } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.ts';

export const YamlCodes = {
  syntax: 'FM401',
  missingKey: 'FM402',
  wrongType: 'FM403',
  unknownKey: 'FM404',
  invalidValue: 'FM405',
} as const;

/** A path into a YAML document: map keys and sequence indices. */
export type YamlPath = readonly PropertyKey[];

/**
 * A parsed YAML file: its plain value, and (built on first use) the positioned document. Once the
 * document exists it is the source of truth, so that edits made to it (`--set`) are what validation sees.
 */
export class YamlSource {
  #positioned: { readonly doc: Document.Parsed; readonly lines: LineCounter } | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    /** The value js-yaml read, or undefined when the positioned parse came first. */
    private readonly plain?: { readonly value: unknown },
  ) {}

  /** The `yaml` document with source ranges (parsed now if it was not yet). */
  get doc(): Document.Parsed {
    return this.positioned().doc;
  }

  get lines(): LineCounter {
    return this.positioned().lines;
  }

  /** The document's value as plain data. */
  value(): unknown {
    if (this.#positioned === undefined && this.plain !== undefined) return this.plain.value;
    return this.doc.toJS({ maxAliasCount: 1000 });
  }

  private positioned(): { readonly doc: Document.Parsed; readonly lines: LineCounter } {
    if (this.#positioned === undefined) {
      const lines = new LineCounter();
      const doc = parseDocument(this.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
      this.#positioned = { doc, lines };
    }
    return this.#positioned;
  }
}

/** Something that may be a YAML anchor (`&name`). */
const ANCHOR = /&[^\s]/;

/** At most this many diagnostics per file: the rest are usually consequences. */
const MAX_DIAGNOSTICS = 20;

/** Parse YAML text; syntax errors (including duplicate keys) are FM401 with their position. */
export function parseYamlSource(file: string, text: string): YamlSource {
  // Anchors go to the positioned parse, whose alias limit stops a "billion laughs" document.
  if (!ANCHOR.test(text)) {
    try {
      return new YamlSource(file, text, { value: loadPlain(text, { schema: CORE_SCHEMA }) });
    } catch {
      // js-yaml refused it: the positioned parse says where and why (or accepts what js-yaml does not).
    }
  }
  const src = new YamlSource(file, text);
  const doc = src.doc;
  if (doc.errors.length > 0) {
    throw new UserError(
      doc.errors.slice(0, MAX_DIAGNOSTICS).map((e) => ({
        code: YamlCodes.syntax,
        message: `YAML syntax: ${firstLine(e.message)}`,
        location: locationOfRange(src, e.pos[0], e.pos[1]),
      })),
    );
  }
  return src;
}

/** Validate the whole document (or the value at `root`) against a schema; throws located diagnostics. */
export function validateYaml<S extends z.ZodType>(src: YamlSource, schema: S, root: YamlPath = []): z.output<S> {
  let data: unknown;
  try {
    data = src.value();
  } catch (err) {
    throw new UserError({ code: YamlCodes.syntax, message: `YAML: ${firstLine((err as Error).message)}`, location: locate(src, []) });
  }
  for (const key of root) data = isRecord(data) || Array.isArray(data) ? (data as Record<PropertyKey, unknown>)[key as string] : undefined;
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const diags = result.error.issues.flatMap((issue) => issueDiagnostics(src, schema, data, root, issue));
  throw new UserError(sortByLocation(diags).slice(0, MAX_DIAGNOSTICS));
}

/** Parse and validate in one step. */
export function loadYaml<S extends z.ZodType>(file: string, text: string, schema: S): { readonly source: YamlSource; readonly value: z.output<S> } {
  const source = parseYamlSource(file, text);
  return { source, value: validateYaml(source, schema) };
}

/** True when the path names an existing node. */
export function hasPath(src: YamlSource, path: YamlPath): boolean {
  return walk(src, path).missing === 0;
}

/**
 * Location of the node at `path`: its value, or its key with `target: 'key'`. For a path that does not
 * exist, the deepest existing ancestor (its key when it has one), which is where a missing key belongs.
 * `within` points inside a scalar's text (e.g. one factor of "B=64,E=1").
 */
export function locate(src: YamlSource, path: YamlPath, target: 'value' | 'key' = 'value', within?: { readonly offset: number; readonly length: number }): SourceLocation {
  const w = walk(src, path);
  const node = w.missing === 0 && target === 'value' ? w.node : (w.key ?? w.node);
  if (!node?.range) return locationOfRange(src, 0, 0);
  let [start, end] = node.range;
  if (within && w.missing === 0 && target === 'value' && isScalar(node)) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    start = start + quoted + within.offset;
    end = start + within.length;
  }
  return locationOfRange(src, start, end);
}

/** A diagnostic at a path, for checks made after schema validation. */
export function diagnosticAt(src: YamlSource, path: YamlPath, code: string, message: string, options: { target?: 'value' | 'key'; hint?: string; within?: { offset: number; length: number } } = {}): Diagnostic {
  const hint = options.hint === undefined ? {} : { hint: options.hint };
  // A value put in by a command-line override (`--set`) has no place in the file: say where it came from.
  const w = walk(src, path);
  if (w.missing === 0 && w.node !== null && !w.node.range) return { code, message: `${message} (the value given on the command line for ${pathText(path)})`, ...hint };
  const location = locate(src, path, options.target ?? 'value', options.within);
  return { code, message, location, ...hint };
}

/** `levels[2].depth` */
export function pathText(path: YamlPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? 'the document' : out;
}

// ---------------------------------------------------------------------------------------------------

interface Walk {
  /** The deepest node reached. */
  readonly node: YamlNode | null;
  /** The key node of the pair holding `node`, if it sits in a map. */
  readonly key: YamlNode | null;
  /** How many trailing path segments do not exist. */
  readonly missing: number;
}

function walk(src: YamlSource, path: YamlPath): Walk {
  let node = src.doc.contents as YamlNode | null;
  let key: YamlNode | null = null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: YamlNode | null | undefined;
    let nextKey: YamlNode | null = null;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        next = pair.value as YamlNode | null;
        nextKey = pair.key as YamlNode;
        // `key:` with no value: point at the key.
        if (next === null) return { node: nextKey, key: nextKey, missing: 0 };
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg] as YamlNode | undefined;
    }
    if (next === undefined || next === null) return { node, key, missing: path.length - i };
    node = next;
    key = nextKey;
  }
  return { node, key, missing: 0 };
}

function locationOfRange(src: YamlSource, start: number, end: number): SourceLocation {
  const offset = Math.max(0, Math.min(start, src.text.length));
  const { line, col } = src.lines.linePos(offset);
  const lineStart = src.lines.lineStarts[line - 1] ?? 0;
  let lineEnd = src.text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = src.text.length;
  const lineText = src.text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const length = Math.max(1, Math.min(end, lineEnd) - offset);
  return { file: src.file, line, col, length, lineText };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function sortByLocation(diags: Diagnostic[]): Diagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.location?.line ?? 0) - (b.d.location?.line ?? 0) || (a.d.location?.col ?? 0) - (b.d.location?.col ?? 0) || a.i - b.i)
    .map((x) => x.d);
}

// ---------------------------------------------------------------------------------------------------
// zod issues to diagnostics

type Issue = z.core.$ZodIssue;

function issueDiagnostics(src: YamlSource, schema: z.ZodType, data: unknown, root: YamlPath, issue: Issue): Diagnostic[] {
  const path = [...root, ...issue.path];
  const where = pathText(issue.path.length > 0 ? path : root);
  const last = path[path.length - 1];
  switch (issue.code) {
    case 'invalid_type': {
      if (!hasPath(src, path) && last !== undefined && issue.path.length > 0) {
        const parent = pathText(path.slice(0, -1));
        return [{ code: YamlCodes.missingKey, message: `missing key '${String(last)}'${parent === 'the document' ? '' : ` in ${parent}`}`, location: locate(src, path) }];
      }
      return [{ code: YamlCodes.wrongType, message: `${where} must be ${article(issue.expected)}, not ${describeValue(valueAt(data, issue.path))}`, location: locate(src, path) }];
    }
    case 'unrecognized_keys':
      return issue.keys.map((k) => {
        const known = knownKeys(schema, data, issue.path);
        const near = known ? nearest(k, known) : undefined;
        const hint = near ? `did you mean '${near}'?` : known ? `known keys: ${known.join(', ')}` : undefined;
        return {
          code: YamlCodes.unknownKey,
          message: `unknown key '${k}'${issue.path.length > 0 ? ` in ${where}` : ''}`,
          location: locate(src, [...path, k], 'key'),
          ...(hint ? { hint } : {}),
        };
      });
    case 'invalid_value':
      return [{ code: YamlCodes.invalidValue, message: `${where} must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.map(String).join(', ')}`}, not ${describeValue(valueAt(data, issue.path))}`, location: locate(src, path) }];
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) {
        if (!hasPath(src, path)) return [{ code: YamlCodes.missingKey, message: `missing key '${String(last)}' in ${pathText(path.slice(0, -1))}`, location: locate(src, path) }];
        return [{ code: YamlCodes.invalidValue, message: `${where} must be one of ${options.map(String).join(', ')}, not ${describeValue(valueAt(data, issue.path))}`, location: locate(src, path) }];
      }
      return [{ code: YamlCodes.wrongType, message: `${where}: ${issue.message}`, location: locate(src, path) }];
    }
    case 'too_small':
    case 'too_big':
      return [{ code: YamlCodes.invalidValue, message: `${where} must be ${boundText(issue)}, not ${describeValue(valueAt(data, issue.path))}`, location: locate(src, path) }];
    default:
      return [{ code: YamlCodes.invalidValue, message: `${where}: ${issue.message}`, location: locate(src, path) }];
  }
}

function boundText(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const n = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const small = issue.code === 'too_small';
  if (issue.origin === 'array' || issue.origin === 'set') return `a list with at ${small ? 'least' : 'most'} ${n} item${n === '1' ? '' : 's'}`;
  if (issue.origin === 'string') return `a text of at ${small ? 'least' : 'most'} ${n} character${n === '1' ? '' : 's'}`;
  const strict = issue.inclusive === false;
  return small ? (strict ? `greater than ${n}` : `at least ${n}`) : strict ? `less than ${n}` : `at most ${n}`;
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a map';
    case 'array':
      return 'a list';
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a text';
    case 'boolean':
      return 'true or false';
    default:
      return `a value of type ${expected}`;
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const p of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[p as string] : undefined;
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined || v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a map';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 37) + '...' : v}'`;
  return String(v);
}

/** The keys an object schema accepts at `path` (best effort: objects, arrays, optionals, unions). */
function knownKeys(schema: z.ZodType, data: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let s: z.core.$ZodType | undefined = schema;
  let v = data;
  for (let i = 0; i <= path.length && s; i++) {
    s = unwrap(s, v);
    if (i === path.length) break;
    const seg = path[i];
    const def = s?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType; valueType?: z.core.$ZodType } | undefined;
    if (def?.type === 'object' && def.shape && typeof seg === 'string') s = def.shape[seg];
    else if (def?.type === 'array' && def.element) s = def.element;
    else if (def?.type === 'record' && def.valueType) s = def.valueType;
    else return undefined;
    v = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[seg as string] : undefined;
  }
  const def = s?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

function unwrap(s: z.core.$ZodType, v: unknown): z.core.$ZodType | undefined {
  let cur: z.core.$ZodType | undefined = s;
  for (let guard = 0; cur && guard < 10; guard++) {
    const def = cur._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType; options?: z.core.$ZodType[]; discriminator?: string };
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'readonly') && def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else if (def.type === 'union' && def.options) {
      // A discriminated union: the option whose discriminator literal matches the data.
      const d = def.discriminator;
      const tag = d && isRecord(v) ? v[d] : undefined;
      cur = def.options.find((o) => {
        const od = o._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
        const lit = d && od.shape?.[d] ? (od.shape[d]._zod.def as { values?: unknown[] }).values : undefined;
        return lit?.includes(tag) ?? false;
      });
      if (!cur) return undefined;
    } else return cur;
  }
  return cur;
}

/** The closest known key within edit distance 2, for "did you mean". */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
