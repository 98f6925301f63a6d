// The ESM customization hook that `module.register` loads from tracekit/register.
// import-in-the-middle does the work: it wraps only the modules tracekit's
// instrumentations asked for (an include list fed by createAddHookMessageChannel),
// so every other ESM module in the app loads exactly as it would without us.
export * from 'import-in-the-middle/hook.mjs';
