'use strict';
// The command-line options the benchmark scripts share: `--name value` options, the
// `--env K=V,...` list, repeatable `--variant NAME=PRELOAD`, and the median they report.
const args = process.argv.slice(2);

/** The value after `--name`, or `fallback` when the option is absent. */
function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
}

/** True when the bare flag `--name` is given. */
function flag(name) {
  return args.includes(`--${name}`);
}

/** `--env K=V,K2=V2` as an object (empty when absent). */
function envOption() {
  return Object.fromEntries(option('env', '').split(',').filter(Boolean).map((kv) => kv.split('=')));
}

/**
 * Every `--variant NAME=PRELOAD[,KEY=VALUE...]` in order; an empty PRELOAD is a run without a
 * preload, and the KEY=VALUE pairs are that variant's own environment (`env`, empty if none).
 */
function variantOptions() {
  const variants = [];
  args.forEach((a, i) => {
    if (a !== '--variant') return;
    const spec = args[i + 1];
    const eq = spec.indexOf('=');
    const [preload, ...pairs] = spec.slice(eq + 1).split(',');
    const env = Object.fromEntries(pairs.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    variants.push({ name: spec.slice(0, eq), preload: preload || undefined, env });
  });
  return variants;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

module.exports = { option, flag, envOption, variantOptions, median };
