/** Where the AI assist sends prompts, and with which key (kept in this browser only). */
import { useState } from 'preact/hooks';
import { DEFAULT_BASES, DEFAULT_MODELS, type AssistSettings as Settings, type Provider } from '../lib/assist';
import { Modal } from './Modal';

interface Props { current: Settings | null; onSave(s: Settings | null): void; onClose(): void }

export function AssistSettings({ current, onSave, onClose }: Props) {
  const [s, setS] = useState<Settings>(current ?? { provider: 'anthropic', apiKey: '', model: '', baseUrl: '' });
  const set = (k: keyof Settings) => (e: Event) => setS({ ...s, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = (e: Event): void => {
    e.preventDefault();
    onSave(s.apiKey.trim() === '' ? null : { ...s, apiKey: s.apiKey.trim() });
  };
  return (
    <Modal labelledBy="assist-settings-title" onClose={onClose}>
      <form class="modal-body" id="assist-settings-form" onSubmit={submit}>
        <h2 id="assist-settings-title">AI assist settings</h2>
        <p class="muted">
          The key is stored in this browser's localStorage only. The collector never sees it: the page sends the prompt straight to the provider.
        </p>
        <label class="field block">
          <span>provider</span>
          <select name="provider" value={s.provider} onChange={(e) => setS({ ...s, provider: (e.currentTarget as HTMLSelectElement).value as Provider })}>
            <option value="anthropic">Anthropic</option>
            <option value="openai">OpenAI</option>
          </select>
        </label>
        <label class="field block">
          <span>API key</span>
          <input name="apiKey" type="password" autocomplete="off" value={s.apiKey} onInput={set('apiKey')} />
        </label>
        <label class="field block">
          <span>model</span>
          <input name="model" value={s.model} onInput={set('model')} placeholder={DEFAULT_MODELS[s.provider]} />
        </label>
        <label class="field block">
          <span>API base URL</span>
          <input name="baseUrl" value={s.baseUrl} onInput={set('baseUrl')} placeholder={DEFAULT_BASES[s.provider]} />
        </label>
        <p class="muted small">
          A base URL other than the provider's must also be allowed by the collector: <code>tracekit start --ai-origin https://gateway.example</code>.
        </p>
        <div class="buttons">
          <button type="submit">save</button>
          {current !== null && (
            <button type="button" class="ghost" onClick={() => onSave(null)}>forget key</button>
          )}
          <button type="button" class="ghost" onClick={onClose}>cancel</button>
        </div>
      </form>
    </Modal>
  );
}
