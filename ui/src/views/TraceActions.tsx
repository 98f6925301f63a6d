/**
 * A trace's id to the clipboard, and the trace as a JSON file: made in the page from what it
 * already shows (a link to the API would not carry an API key).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { TraceDetail } from '../lib/types';

export function TraceActions({ trace }: { trace: TraceDetail }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const href = useMemo(() => URL.createObjectURL(new Blob([JSON.stringify(trace, null, 2)], { type: 'application/json' })), [trace]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  const copy = (): void => {
    navigator.clipboard.writeText(trace.traceId).then(() => setCopied('yes'), () => setCopied('failed'));
  };
  return (
    <span class="trace-actions">
      <button type="button" class="small" id="copy-trace-id" onClick={copy}>{copied === 'yes' ? 'copied' : copied === 'failed' ? 'copy failed' : 'copy id'}</button>
      <a class="button small" id="download-trace" href={href} download={`trace-${trace.traceId}.json`}>JSON</a>
    </span>
  );
}
