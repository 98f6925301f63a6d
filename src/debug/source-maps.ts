/**
 * Source maps (version 3) for breakpoints in the user's source (docs/debugging.md, "TypeScript
 * and source maps"): a line of `src/app.ts` → the line of the script that runs, and a frame of
 * the running script → the user's line. Only the `mappings` segments are read (no names).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** One mapping: generated line and column → source index, original line and column (all 0-based). */
interface Segment {
  genLine: number;
  genCol: number;
  source: number;
  line: number;
  col: number;
}

/** Decodes a `mappings` string into segments that name a source. */
export function decodeMappings(mappings: string): Segment[] {
  const out: Segment[] = [];
  let genLine = 0;
  let genCol = 0;
  let source = 0;
  let line = 0;
  let col = 0;
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  const flushSegment = (): void => {
    if (fields.length === 0) return;
    genCol += fields[0];
    if (fields.length >= 4) {
      source += fields[1];
      line += fields[2];
      col += fields[3];
      out.push({ genLine, genCol, source, line, col });
    }
    fields.length = 0;
  };
  for (let i = 0; i < mappings.length; i++) {
    const c = mappings.charCodeAt(i);
    if (c === 59 /* ; */) {
      flushSegment();
      genLine++;
      genCol = 0;
      continue;
    }
    if (c === 44 /* , */) {
      flushSegment();
      continue;
    }
    const d = c < 128 ? DIGIT[c] : -1;
    if (d < 0) throw new Error('invalid character in source map mappings');
    value += (d & 31) * 2 ** shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    value = 0;
    shift = 0;
  }
  flushSegment();
  return out;
}

/** A parsed source map of one running script. */
export class SourceMap {
  /** Absolute paths of its sources, by index. */
  readonly sources: string[];
  private readonly segments: Segment[];

  constructor(json: { sources?: unknown; sourceRoot?: unknown; mappings?: unknown }, mapLocation: string) {
    const root = typeof json.sourceRoot === 'string' ? json.sourceRoot : '';
    const base = dirname(mapLocation);
    this.sources = (Array.isArray(json.sources) ? json.sources : []).map((s) => {
      const name = `${root}${root !== '' && !root.endsWith('/') ? '/' : ''}${String(s)}`;
      if (name.startsWith('file://')) return fileURLToPath(name);
      return isAbsolute(name) ? name : resolve(base, name);
    });
    this.segments = typeof json.mappings === 'string' ? decodeMappings(json.mappings) : [];
  }

  /**
   * The first generated position (0-based line and column) of a source line (1-based), or of
   * the nearest mapped line after it; undefined when nothing at or after it is mapped.
   */
  generatedFor(sourcePath: string, line1: number): { line: number; column: number } | undefined {
    const source = this.sources.indexOf(sourcePath);
    if (source === -1) return undefined;
    const want = line1 - 1;
    let best: Segment | undefined;
    for (const s of this.segments) {
      if (s.source !== source || s.line < want) continue;
      if (best === undefined || s.line < best.line || (s.line === best.line && (s.genLine < best.genLine || (s.genLine === best.genLine && s.genCol < best.genCol)))) best = s;
    }
    return best === undefined ? undefined : { line: best.genLine, column: best.genCol };
  }

  /** The source position (1-based line and column) of a generated one (0-based), if mapped. */
  originalFor(genLine: number, genCol: number): { file: string; line: number; column: number } | undefined {
    let best: Segment | undefined;
    for (const s of this.segments) {
      if (s.genLine !== genLine) continue;
      if (s.genCol <= genCol && (best === undefined || s.genCol >= best.genCol)) best = s;
      else if (best === undefined && s.genCol > genCol) best = s;
    }
    return best === undefined ? undefined : { file: this.sources[best.source], line: best.line + 1, column: best.col + 1 };
  }
}

/**
 * Loads the source map a script names (`sourceMappingURL`): inline as a data: URL, or a file
 * next to the script. Undefined when there is none or it cannot be read.
 */
export async function loadSourceMap(scriptUrl: string, sourceMapUrl: string): Promise<SourceMap | undefined> {
  try {
    if (sourceMapUrl.startsWith('data:')) {
      const comma = sourceMapUrl.indexOf(',');
      const meta = sourceMapUrl.slice(5, comma);
      const payload = sourceMapUrl.slice(comma + 1);
      const text = meta.endsWith(';base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
      return new SourceMap(JSON.parse(text), scriptUrl.startsWith('file://') ? fileURLToPath(scriptUrl) : scriptUrl);
    }
    if (!scriptUrl.startsWith('file://')) return undefined;
    const mapUrl = new URL(sourceMapUrl, scriptUrl);
    if (mapUrl.protocol !== 'file:') return undefined;
    const path = fileURLToPath(mapUrl);
    return new SourceMap(JSON.parse(await readFile(path, 'utf8')), path);
  } catch {
    return undefined;
  }
}
