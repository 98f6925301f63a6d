/**
 * SQL normalisation: one hand-written pass over the text that turns every literal into `?`,
 * keeps placeholders (`$1`, `?`, `:name`) and identifiers as written, drops comments (they can
 * hold anything), folds whitespace, collapses `IN (...)` lists of values to `IN (?)` and keeps
 * only the first row of a `VALUES` list. The same statement with different values therefore
 * gives the same template, and no literal from the query survives.
 *
 * The same pass picks out the operation (`SELECT`) and the collection (`users`) for the span
 * name. No parser: a statement it does not understand still loses its literals, it just may
 * not get a collection name.
 */

export type SqlDialect = 'postgresql' | 'mysql';

/** What a query is, once its values are gone. */
export interface SqlSummary {
  /** The normalised text: no literal values. */
  text: string;
  /** The first keyword of the (main) statement, upper case: `SELECT`, `INSERT`. */
  operation: string | undefined;
  /** The table the statement reads or writes, as written, without quotes: `users`, `public.users`. */
  collection: string | undefined;
}

/** Longer text is cut before normalising; an unterminated literal at the cut still becomes `?`. */
export const MAX_SQL_LENGTH = 16 * 1024;

const SPACE = 32;
const QUOTE = 39; // '
const DQUOTE = 34; // "
const BACKTICK = 96;
const BACKSLASH = 92;
const DOLLAR = 36;
const DASH = 45;
const SLASH = 47;
const STAR = 42;
const HASH = 35;
const DOT = 46;
const COMMA = 44;
const OPEN = 40;
const CLOSE = 41;
const SEMI = 59;
const QMARK = 63;
const AMP = 38;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === DOLLAR;
}
function isSpace(c: number): boolean {
  return c === SPACE || (c >= 9 && c <= 13);
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Words after which a `-` in front of a number is a sign, not a subtraction. */
const SIGN_AFTER = new Set(['SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'SET', 'BY', 'LIMIT', 'OFFSET', 'BETWEEN', 'IN', 'IS', 'LIKE', 'ON', 'HAVING', 'VALUES', 'RETURN']);
/** Statements whose target follows FROM, INTO or the keyword itself. */
const DATA_OPERATIONS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE', 'UPSERT']);

const enum Kind {
  None,
  Word,
  Value, // a literal (now `?`) or a placeholder
  Comma,
  Open,
  Other,
}

interface Frame {
  /** Where the `(` starts in the output. */
  outPos: number;
  /** An `IN (` list that so far holds only values and commas. */
  inList: boolean;
  /** The first row of a `VALUES` list. */
  valuesRow: boolean;
  /** A tuple inside an `IN (` list: `IN ((1, 2), (3, 4))`. */
  tuple: boolean;
  sawValue: boolean;
}

class Normalizer {
  private out = '';
  private i = 0;
  private depth = 0;
  private frames: Frame[] = [];
  private kind = Kind.None;
  private lastWord = '';
  private pendingSpace = false;
  /** While false, tokens are read but not written (extra `VALUES` rows). */
  private emit = true;
  private skipUntilDepth = -1;
  /** After the first `VALUES` row closed at this depth: later rows are dropped. */
  private valuesDepth = -1;
  operation: string | undefined = undefined;
  collection: string | undefined = undefined;
  private statement = 0;

  constructor(
    private readonly sql: string,
    private readonly n: number,
    private readonly dialect: SqlDialect,
  ) {}

  run(): string {
    const sql = this.sql;
    const n = this.n;
    while (this.i < n) {
      const c = sql.charCodeAt(this.i);
      if (isSpace(c)) {
        this.i++;
        this.pendingSpace = true;
      } else if (c === DASH && sql.charCodeAt(this.i + 1) === DASH) {
        this.skipLineComment();
      } else if (c === HASH && this.dialect === 'mysql') {
        this.skipLineComment();
      } else if (c === SLASH && sql.charCodeAt(this.i + 1) === STAR) {
        this.skipBlockComment();
      } else if (c === QUOTE) {
        this.skipQuoted(QUOTE, this.dialect === 'mysql');
        this.value();
      } else if (c === DQUOTE) {
        if (this.dialect === 'mysql') {
          this.skipQuoted(DQUOTE, true);
          this.value();
        } else {
          this.copyQuotedIdentifier(DQUOTE);
        }
      } else if (c === BACKTICK) {
        this.copyQuotedIdentifier(BACKTICK);
      } else if (c === DOLLAR) {
        this.dollar();
      } else if (isDigit(c) || (c === DOT && isDigit(sql.charCodeAt(this.i + 1)))) {
        this.skipNumber();
        this.value();
      } else if (c === DASH && this.signStartsNumber()) {
        this.i++;
        this.skipNumber();
        this.value();
      } else if (isWordStart(c)) {
        this.word();
      } else if (c === QMARK) {
        // `?` placeholder (and mysql's `??` identifier placeholder) stays.
        const start = this.i;
        this.i++;
        if (sql.charCodeAt(this.i) === QMARK) this.i++;
        this.write(sql.slice(start, this.i), Kind.Value);
      } else if (c === OPEN) {
        this.open();
      } else if (c === CLOSE) {
        this.close();
      } else if (c === COMMA) {
        this.comma();
      } else {
        if (c === SEMI) this.endStatement();
        this.i++;
        this.write(String.fromCharCode(c), Kind.Other);
      }
    }
    return this.out;
  }

  private write(text: string, kind: Kind, listItem = false): void {
    if (this.valuesDepth !== -1 && this.emit && kind !== Kind.Comma) this.valuesDepth = -1;
    if (!listItem) this.noteInList(kind);
    if (this.emit) {
      if (this.pendingSpace && this.out.length > 0) this.out += ' ';
      this.out += text;
    }
    this.pendingSpace = false;
    this.kind = kind;
  }

  /** Marks the innermost `IN (` list as not a plain value list when anything else appears. */
  private noteInList(kind: Kind): void {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined || !frame.inList) return;
    if (kind === Kind.Value) frame.sawValue = true;
    else if (kind !== Kind.Comma) frame.inList = false;
  }

  private value(): void {
    this.write('?', Kind.Value);
  }

  private skipLineComment(): void {
    const end = this.sql.indexOf('\n', this.i);
    this.i = end === -1 || end > this.n ? this.n : end;
    this.pendingSpace = true;
  }

  private skipBlockComment(): void {
    // PostgreSQL nests block comments; MySQL does not.
    const sql = this.sql;
    let level = 0;
    while (this.i < this.n) {
      const c = sql.charCodeAt(this.i);
      if (c === SLASH && sql.charCodeAt(this.i + 1) === STAR) {
        if (level === 0 || this.dialect === 'postgresql') level++;
        this.i += 2;
      } else if (c === STAR && sql.charCodeAt(this.i + 1) === SLASH) {
        level--;
        this.i += 2;
        if (level === 0) break;
      } else {
        this.i++;
      }
    }
    this.pendingSpace = true;
  }

  /** Skips a quoted literal starting at `this.i`; a doubled quote is an escaped quote. */
  private skipQuoted(quote: number, backslashEscapes: boolean): void {
    const sql = this.sql;
    this.i++;
    while (this.i < this.n) {
      const c = sql.charCodeAt(this.i);
      if (backslashEscapes && c === BACKSLASH) {
        this.i += 2;
      } else if (c === quote) {
        if (sql.charCodeAt(this.i + 1) === quote) this.i += 2;
        else {
          this.i++;
          return;
        }
      } else {
        this.i++;
      }
    }
    this.i = this.n;
  }

  private copyQuotedIdentifier(quote: number): void {
    const start = this.i;
    this.skipQuoted(quote, false);
    this.write(this.sql.slice(start, this.i), Kind.Word);
    this.lastWord = '';
  }

  /** `$1` is a placeholder; `$$...$$` and `$tag$...$tag$` are dollar-quoted literals. */
  private dollar(): void {
    const sql = this.sql;
    const start = this.i;
    if (isDigit(sql.charCodeAt(start + 1))) {
      let j = start + 1;
      while (j < this.n && isDigit(sql.charCodeAt(j))) j++;
      this.i = j;
      this.write(sql.slice(start, j), Kind.Value);
      return;
    }
    let j = start + 1;
    if (isWordStart(sql.charCodeAt(j))) {
      while (j < this.n && isWordPart(sql.charCodeAt(j)) && sql.charCodeAt(j) !== DOLLAR) j++;
    }
    if (sql.charCodeAt(j) === DOLLAR) {
      const tag = sql.slice(start, j + 1);
      const end = sql.indexOf(tag, j + 1);
      this.i = end === -1 || end + tag.length > this.n ? this.n : end + tag.length;
      this.value();
      return;
    }
    this.i++;
    this.write('$', Kind.Other);
  }

  private skipNumber(): void {
    const sql = this.sql;
    let j = this.i;
    if (sql.charCodeAt(j) === 48 && (sql.charCodeAt(j + 1) | 32) === 120) {
      // 0x1F
      j += 2;
      while (j < this.n && isHexDigit(sql.charCodeAt(j))) j++;
    } else {
      while (j < this.n && (isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === DOT || sql.charCodeAt(j) === 95)) j++;
      if ((sql.charCodeAt(j) | 32) === 101) {
        // exponent: 1e10, 1.5E-3
        let k = j + 1;
        if (sql.charCodeAt(k) === 43 || sql.charCodeAt(k) === DASH) k++;
        if (isDigit(sql.charCodeAt(k))) {
          j = k;
          while (j < this.n && isDigit(sql.charCodeAt(j))) j++;
        }
      }
    }
    this.i = j;
  }

  /** A `-` directly before a number, where an operand is expected, is part of the literal. */
  private signStartsNumber(): boolean {
    const next = this.sql.charCodeAt(this.i + 1);
    if (!isDigit(next) && !(next === DOT && isDigit(this.sql.charCodeAt(this.i + 2)))) return false;
    if (this.kind === Kind.Word) return SIGN_AFTER.has(this.lastWord);
    return this.kind !== Kind.Value;
  }

  private word(): void {
    const sql = this.sql;
    const start = this.i;
    let j = start + 1;
    while (j < this.n && isWordPart(sql.charCodeAt(j))) j++;
    const next = sql.charCodeAt(j);
    // A prefixed string: E'..', B'..', X'..', N'..', U&'..', mysql's _utf8mb4'..'.
    if (next === QUOTE) {
      const len = j - start;
      const first = sql.charCodeAt(start) | 32;
      if (len === 1 && (first === 101 || first === 98 || first === 120 || first === 110)) {
        this.i = j;
        this.skipQuoted(QUOTE, first === 101 || this.dialect === 'mysql');
        this.value();
        return;
      }
      if (sql.charCodeAt(start) === 95 && this.dialect === 'mysql') {
        this.i = j;
        this.skipQuoted(QUOTE, true);
        this.value();
        return;
      }
    }
    if (next === AMP && j - start === 1 && (sql.charCodeAt(start) | 32) === 117 && sql.charCodeAt(j + 1) === QUOTE) {
      this.i = j + 1;
      this.skipQuoted(QUOTE, false);
      this.value();
      return;
    }
    this.i = j;
    const text = sql.slice(start, j);
    const upper = j - start <= 10 ? text.toUpperCase() : '';
    if (upper === 'TRUE' || upper === 'FALSE') {
      this.value();
      return;
    }
    this.write(text, Kind.Word);
    this.lastWord = upper;
    this.noteKeyword(upper);
  }

  /** Tracks the operation and the collection of the first statement. */
  private noteKeyword(upper: string): void {
    if (this.statement !== 0 || this.depth !== 0) return;
    if (this.operation === undefined || (this.operation === 'WITH' && DATA_OPERATIONS.has(upper))) {
      if (upper !== '') this.operation = upper;
      // UPDATE's target follows the keyword itself.
      if (upper === 'UPDATE') this.collection = this.readName(this.i);
      return;
    }
    if (this.collection !== undefined || !DATA_OPERATIONS.has(this.operation)) return;
    if (upper === 'FROM' || upper === 'INTO' || upper === 'JOIN') {
      this.collection = this.readName(this.i);
    }
  }

  /** Reads `name`, `"name"`, `` `name` `` or a dotted chain of them at `from`, without quotes. */
  private readName(from: number): string | undefined {
    const sql = this.sql;
    let j = from;
    while (j < this.n && isSpace(sql.charCodeAt(j))) j++;
    let name = '';
    for (;;) {
      const c = sql.charCodeAt(j);
      if (c === BACKTICK || (c === DQUOTE && this.dialect === 'postgresql')) {
        const end = sql.indexOf(String.fromCharCode(c), j + 1);
        if (end === -1) return undefined;
        name += sql.slice(j + 1, end);
        j = end + 1;
      } else if (isWordStart(c)) {
        const start = j;
        while (j < this.n && isWordPart(sql.charCodeAt(j))) j++;
        const part = sql.slice(start, j);
        // `UPDATE ONLY t`, `DELETE FROM ONLY t`: a keyword, not the name.
        if (name === '' && part.toUpperCase() === 'ONLY') return this.readName(j);
        name += part;
      } else {
        return name === '' ? undefined : name;
      }
      if (sql.charCodeAt(j) !== DOT) return name;
      name += '.';
      j++;
    }
  }

  private open(): void {
    const upper = this.kind === Kind.Word ? this.lastWord : '';
    const parent = this.frames[this.frames.length - 1];
    const tuple = parent !== undefined && parent.inList && (this.kind === Kind.Open || this.kind === Kind.Comma);
    const frame: Frame = {
      outPos: this.out.length + (this.pendingSpace && this.out.length > 0 && this.emit ? 1 : 0),
      inList: upper === 'IN' || tuple,
      valuesRow: upper === 'VALUES' || upper === 'VALUE',
      tuple,
      sawValue: false,
    };
    this.i++;
    this.write('(', Kind.Open, tuple);
    this.frames.push(frame);
    this.depth++;
  }

  private close(): void {
    const frame = this.frames.pop();
    this.depth = Math.max(0, this.depth - 1);
    this.i++;
    if (frame !== undefined && frame.tuple) {
      // A tuple of values counts as one value of the enclosing list.
      this.write(')', frame.inList && frame.sawValue ? Kind.Value : Kind.Other);
    } else if (frame !== undefined && frame.inList && frame.sawValue && this.emit) {
      this.out = this.out.slice(0, frame.outPos) + '(?)';
      this.pendingSpace = false;
      this.kind = Kind.Value;
      this.noteInList(Kind.Value);
    } else {
      this.write(')', Kind.Value);
    }
    if (!this.emit && this.depth === this.skipUntilDepth) {
      this.emit = true;
      this.skipUntilDepth = -1;
      this.valuesDepth = this.depth;
    } else if (frame !== undefined && frame.valuesRow) {
      this.valuesDepth = this.depth;
    }
  }

  private comma(): void {
    this.i++;
    if (this.valuesDepth === this.depth && this.emit) {
      // Another VALUES row? Drop it, up to its closing parenthesis.
      let j = this.i;
      while (j < this.n && isSpace(this.sql.charCodeAt(j))) j++;
      if (this.sql.charCodeAt(j) === OPEN) {
        this.emit = false;
        this.skipUntilDepth = this.depth;
        return;
      }
    }
    this.write(',', Kind.Comma);
  }

  private endStatement(): void {
    this.statement++;
    this.valuesDepth = -1;
  }
}

/**
 * Normalises one SQL text: literals become `?`, value lists collapse, comments go, whitespace
 * folds. `dialect` decides what quotes mean: in PostgreSQL `"x"` is a name, in MySQL a string,
 * and only MySQL (and PostgreSQL's `E''`) treats a backslash in a string as an escape.
 */
export function normalizeSql(sql: string, dialect: SqlDialect): SqlSummary {
  const n = Math.min(sql.length, MAX_SQL_LENGTH);
  const normalizer = new Normalizer(sql, n, dialect);
  let text = normalizer.run();
  if (n < sql.length) text += ' ...';
  return { text, operation: normalizer.operation, collection: normalizer.collection };
}

const CACHE_LIMIT = 2000;
const caches: Record<SqlDialect, Map<string, SqlSummary>> = { postgresql: new Map(), mysql: new Map() };

/** Longest text whose summary `summarizeSql` caches (and so returns as the same object each time). */
export const SUMMARY_CACHE_MAX_LENGTH = 4096;

/**
 * `normalizeSql` with a bounded cache: apps send the same parameterised text over and over.
 * The cache forgets everything when full, so a stream of distinct texts cannot grow it.
 */
export function summarizeSql(sql: string, dialect: SqlDialect): SqlSummary {
  const cache = caches[dialect];
  let summary = cache.get(sql);
  if (summary === undefined) {
    summary = normalizeSql(sql, dialect);
    if (sql.length <= SUMMARY_CACHE_MAX_LENGTH) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(sql, summary);
    }
  }
  return summary;
}

/** `SELECT users`, `INSERT`, or the system name when nothing better is known. */
export function querySpanName(summary: SqlSummary, fallback: string): string {
  if (summary.operation === undefined) return fallback;
  return summary.collection === undefined ? summary.operation : `${summary.operation} ${summary.collection}`;
}
