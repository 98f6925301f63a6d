/** Asked when the collector answers 401: it was started with an API key. */
import { useState } from 'preact/hooks';

export function KeyPrompt({ onKey }: { onKey(key: string): void }) {
  const [key, setKey] = useState('');
  return (
    <form class="panel key-prompt" onSubmit={(e) => { e.preventDefault(); onKey(key.trim()); }}>
      <h2>This collector needs its API key</h2>
      <p class="muted">It was started with <code>--api-key</code>. The key is kept in this browser's localStorage and sent with each API call.</p>
      <input type="password" name="collectorKey" autocomplete="off" value={key} onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit">use key</button>
    </form>
  );
}
