/**
 * The tracekit dashboard: a single page whose state (service, window, view, trace, filters)
 * lives in the URL. Data comes from the collector's /api/ every 2 s; nothing is sent
 * anywhere else except an AI assist request the user starts.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, setCollectorKey } from './lib/api';
import { buildFolderPrompt, buildPrompt, folderSnapshot, loadAssistSettings, routeSnapshot, saveAssistSettings, type AssistSettings as Settings } from './lib/assist';
import { usePoll } from './lib/poll';
import { applyTheme, cssColor, loadTheme, type ThemeChoice } from './lib/theme';
import type { InventoryRoute, RouteStats, ServiceInfo } from './lib/types';
import { readUrlState, writeUrlState, type UrlState } from './lib/url-state';
import { AssistAnswer } from './views/AssistAnswer';
import { AssistSettings } from './views/AssistSettings';
import { CodeView } from './views/CodeView';
import { DebugView } from './views/DebugView';
import { LogsView } from './views/LogsView';
import { Header } from './views/Header';
import { KeyPrompt } from './views/KeyPrompt';
import { OverviewView, type OverviewData } from './views/OverviewView';
import { MapView } from './views/MapView';
import { QueriesView } from './views/QueriesView';
import { RoutePage } from './views/RoutePage';
import { RuntimeView } from './views/RuntimeView';
import { TraceExplorer } from './views/TraceExplorer';

function App() {
  const [state, setState] = useState<UrlState>(() => readUrlState());
  const [theme, setTheme] = useState<ThemeChoice>(() => loadTheme());
  const [systemDark, setSystemDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [assist, setAssist] = useState<Settings | null>(() => loadAssistSettings());
  const [analysis, setAnalysis] = useState<{ title: string; prompt: string } | null>(null);
  const [pendingAnalysis, setPendingAnalysis] = useState<{ title: string; prompt: string } | null>(null);
  const [status, setStatus] = useState<{ updatedMs: number | undefined; error: Error | undefined }>({ updatedMs: undefined, error: undefined });
  const [keyEpoch, setKeyEpoch] = useState(0);

  useEffect(() => {
    const onPop = (): void => setState(readUrlState());
    addEventListener('popstate', onPop);
    const media = matchMedia('(prefers-color-scheme: dark)');
    const onScheme = (): void => {
      applyTheme(loadTheme());
      setSystemDark(media.matches);
    };
    media.addEventListener('change', onScheme);
    return () => {
      removeEventListener('popstate', onPop);
      media.removeEventListener('change', onScheme);
    };
  }, []);
  const chooseTheme = (t: ThemeChoice): void => {
    // Applied before the render so canvas colours read the new theme's variables.
    applyTheme(t);
    setTheme(t);
  };

  const services = usePoll(() => api<ServiceInfo[]>('services', { window: '24h' }), [keyEpoch], 10_000);
  const change = (patch: Partial<UrlState>): void => {
    setState((prev) => {
      const next = { ...prev, ...patch };
      // Another trace: no span of the last one stays selected.
      if (patch.trace !== undefined && patch.trace !== prev.trace && patch.span === undefined) next.span = '';
      writeUrlState(next, prev);
      return next;
    });
  };

  const dark = theme === 'dark' || (theme === 'auto' && systemDark);
  // Canvas colours follow the CSS variables of the theme in effect.
  const ink = useMemo(
    () => ({ text: cssColor('--muted'), grid: cssColor('--grid'), rate: cssColor('--series-rate'), error: cssColor('--series-error'), p50: cssColor('--series-p50'), p95: cssColor('--series-p95'), p99: cssColor('--series-p99') }),
    [dark],
  );

  const startAnalysis = (job: { title: string; prompt: string }): void => {
    if (assist === null) {
      setPendingAnalysis(job);
      setSettingsOpen(true);
    } else setAnalysis(job);
  };
  const analyze = (r: RouteStats, d: OverviewData): void => {
    const snapshot = routeSnapshot(r, state.window, d.errors, d.graph, d.outgoing);
    startAnalysis({ title: `${r.service} ${snapshot.route}`, prompt: buildPrompt(snapshot) });
  };
  const analyzeFolder = (folder: string, routes: InventoryRoute[]): void => {
    const snapshot = folderSnapshot(state.service, folder, state.window, routes);
    startAnalysis({ title: `${state.service || 'all services'} ${snapshot.folder}`, prompt: buildFolderPrompt(snapshot) });
  };

  const needsKey = status.error instanceof ApiError && status.error.status === 401;
  return (
    <>
      <Header state={state} services={services.data} live={status} theme={theme} onChange={change} onTheme={chooseTheme} onSettings={() => setSettingsOpen(true)} />
      <main key={keyEpoch}>
        {needsKey && (
          <KeyPrompt
            onKey={(key) => {
              setCollectorKey(key);
              setStatus({ updatedMs: undefined, error: undefined });
              setKeyEpoch((n) => n + 1);
            }}
          />
        )}
        {state.view === 'overview' ? (
          <OverviewView state={state} dark={dark} ink={ink} onChange={change} onAnalyze={analyze} onStatus={setStatus} />
        ) : state.view === 'map' ? (
          <MapView state={state} dark={dark} onChange={change} onStatus={setStatus} />
        ) : state.view === 'queries' ? (
          <QueriesView state={state} onChange={change} onStatus={setStatus} />
        ) : state.view === 'runtime' ? (
          <RuntimeView state={state} ink={{ text: ink.text, grid: ink.grid }} onChange={change} onStatus={setStatus} />
        ) : state.view === 'route' ? (
          <RoutePage state={state} onChange={change} onStatus={setStatus} />
        ) : state.view === 'logs' ? (
          <LogsView state={state} onChange={change} onStatus={setStatus} />
        ) : state.view === 'debug' ? (
          <DebugView state={state} onChange={change} onStatus={setStatus} />
        ) : state.view === 'code' ? (
          <CodeView state={state} onChange={change} onAnalyzeFolder={analyzeFolder} onStatus={setStatus} />
        ) : (
          <TraceExplorer state={state} onChange={change} onStatus={setStatus} />
        )}
      </main>
      {settingsOpen && (
        <AssistSettings
          current={assist}
          onClose={() => {
            setSettingsOpen(false);
            setPendingAnalysis(null);
          }}
          onSave={(s) => {
            saveAssistSettings(s);
            setAssist(s);
            setSettingsOpen(false);
            if (s !== null && pendingAnalysis !== null) setAnalysis(pendingAnalysis);
            setPendingAnalysis(null);
          }}
        />
      )}
      {analysis !== null && assist !== null && <AssistAnswer title={analysis.title} prompt={analysis.prompt} settings={assist} onClose={() => setAnalysis(null)} />}
    </>
  );
}

applyTheme(loadTheme());
const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
