/**
 * A dialog over the page: closes on Escape and on a click on the dimmed backdrop (not on a
 * click inside it), as dialogs do elsewhere.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

interface Props { labelledBy: string; onClose(): void; children: ComponentChildren }

export function Modal({ labelledBy, onClose, children }: Props) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby={labelledBy} onClick={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      {children}
    </div>
  );
}
