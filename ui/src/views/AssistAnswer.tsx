/** Runs one analysis: shows where the prompt goes, then the answer (as plain text) or the error. */
import { useEffect, useState } from 'preact/hooks';
import { askProvider, DEFAULT_BASES, type AssistSettings } from '../lib/assist';
import { Modal } from './Modal';

interface Props { title: string; prompt: string; settings: AssistSettings; onClose(): void }

export function AssistAnswer({ title, prompt, settings, onClose }: Props) {
  const [answer, setAnswer] = useState<{ text?: string; error?: string }>({});
  useEffect(() => {
    const abort = new AbortController();
    askProvider(settings, prompt, abort.signal).then(
      (text) => setAnswer({ text: text === '' ? '(the provider returned an empty answer)' : text }),
      (err: Error) => {
        if (!abort.signal.aborted) setAnswer({ error: err.message });
      },
    );
    return () => abort.abort();
  }, [prompt, settings]);
  const base = settings.baseUrl.trim() === '' ? DEFAULT_BASES[settings.provider] : settings.baseUrl.trim();
  return (
    <Modal labelledBy="assist-title" onClose={onClose}>
      <div class="modal-body wide" id="assist-answer">
        <h2 id="assist-title">Analysis: {title}</h2>
        <p class="muted">Sent from this browser to {base} ({settings.provider}).</p>
        <details>
          <summary>prompt</summary>
          <pre class="prompt">{prompt}</pre>
        </details>
        {answer.text === undefined && answer.error === undefined && <p class="muted" data-state="waiting">Waiting for the answer…</p>}
        {answer.error !== undefined && <p class="error-text" data-state="error">{answer.error}</p>}
        {answer.text !== undefined && <div class="answer" data-state="answered">{answer.text}</div>}
        <div class="buttons">
          <button type="button" onClick={onClose}>close</button>
        </div>
      </div>
    </Modal>
  );
}
