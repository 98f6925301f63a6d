/**
 * A route or path that may wrap only after a `/` (or a space), never inside a segment, unless a
 * segment alone is wider than its cell.
 */
import { Fragment } from 'preact';

export function BreakableText({ text }: { text: string }) {
  const parts = text.split(/(?<=[/ ])/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {p}
        </Fragment>
      ))}
    </>
  );
}
