// The ESM customization hook for `module.register`: import-in-the-middle, limited to an
// include list. Not registered today: every library tracekit instruments is CommonJS, and
// require-in-the-middle sees their files even when an ES module imports them, while an empty
// include list would make import-in-the-middle proxy every ES module of the app. The agent
// registers this file once an instrumentation declares an ESM file to patch (see README,
// "How it works").
export * from 'import-in-the-middle/hook.mjs';
