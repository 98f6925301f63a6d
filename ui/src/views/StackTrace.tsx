/**
 * A stack trace as an error tracker shows it: the app's own frames stand out, and each run of
 * library frames (node_modules, Node's internals) is folded into one line that opens.
 */
import { frameOfLine, isNodeInternal } from '../../../src/shared/stack-frames';

/**
 * Is this `at ...` line outside the app: a dependency, Node itself, or a location V8 does not
 * give (the shared parser's rules, src/shared/stack-frames.ts)?
 */
function isLibraryFrame(line: string): boolean {
  const frame = frameOfLine(line);
  return frame === undefined || frame.library || isNodeInternal(frame.file);
}

type Block = { kind: 'text'; line: string } | { kind: 'app'; line: string } | { kind: 'library'; lines: string[] };

function blocksOf(stack: string): Block[] {
  const blocks: Block[] = [];
  for (const line of stack.split('\n')) {
    if (!/^\s*at /.test(line)) blocks.push({ kind: 'text', line });
    else if (!isLibraryFrame(line)) blocks.push({ kind: 'app', line });
    else {
      const last = blocks[blocks.length - 1];
      if (last?.kind === 'library') last.lines.push(line);
      else blocks.push({ kind: 'library', lines: [line] });
    }
  }
  return blocks;
}

export function StackTrace({ stack }: { stack: string }) {
  if (stack === '') return <pre class="stack">(no stack trace was recorded)</pre>;
  return (
    <div class="stack stack-frames">
      {blocksOf(stack).map((b, i) =>
        b.kind === 'library' ? (
          <details key={i} class="lib-frames" data-library-frames={b.lines.length}>
            <summary>{b.lines.length} library frame{b.lines.length === 1 ? '' : 's'}</summary>
            {b.lines.map((l, j) => (
              <div key={j} class="frame frame-library">{l}</div>
            ))}
          </details>
        ) : (
          <div key={i} class={b.kind === 'app' ? 'frame frame-app' : 'stack-text'}>{b.line}</div>
        ),
      )}
    </div>
  );
}
