#!/usr/bin/env node
/**
 * The qwen3-migrate executable. React is switched to its production build before anything loads
 * it (the development build costs the dashboard several times the CPU), then the CLI runs.
 */
process.env.NODE_ENV ??= 'production';
const {run} = await import('./main.js');
process.exitCode = await run();
