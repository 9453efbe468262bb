// The architecture, held by the linter (`npm run lint`): the engine is what a migration needs and
// knows nothing of the terminal UI, the commands, the demo, the generated models or the bench; the
// UI knows nothing of the commands; commands share code through commands/shared/, never through
// each other; and no module takes part in an import cycle. test/architecture/ proves each rule
// fires on a violation. Type-only imports count: a type dependency is still a dependency.

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
	forbidden: [
		{
			name: 'engine-not-to-ui',
			comment: 'The engine never imports the dashboard: the UI consumes the engine\'s typed events instead.',
			severity: 'error',
			from: {path: '^source/engine/'},
			to: {path: '^source/ui/'},
		},
		{
			name: 'engine-not-to-commands',
			comment: 'The engine never imports the CLI: commands call engine entry points, not the reverse.',
			severity: 'error',
			from: {path: '^source/engine/'},
			to: {path: '^source/(commands/|cli\\.ts$|main\\.ts$)'},
		},
		{
			name: 'engine-not-to-demo-models-bench',
			comment: 'The engine is what a migration needs; demo workspaces, generated models and the bench build on it, not in it.',
			severity: 'error',
			from: {path: '^source/engine/'},
			to: {path: '^source/(demo|models|bench)/'},
		},
		{
			name: 'monitor-not-to-migration',
			comment: 'The resource samplers serve the dashboard, the monitor command and the migration alike; they cannot depend on the migration (shared helpers live in engine/util).',
			severity: 'error',
			from: {path: '^source/engine/monitor/'},
			to: {path: '^source/engine/migration/'},
		},
		{
			name: 'ui-not-to-commands',
			comment: 'The dashboard gets its actions injected by the command that opens it.',
			severity: 'error',
			from: {path: '^source/ui/'},
			to: {path: '^source/(commands/|cli\\.ts$|main\\.ts$)'},
		},
		{
			name: 'command-not-to-command',
			comment: 'One file per command; what two commands share lives in source/commands/shared/. Only the registry lists the commands.',
			severity: 'error',
			from: {path: '^source/commands/[^/]+$', pathNot: '^source/commands/registry\\.ts$'},
			to: {path: '^source/commands/[^/]+$'},
		},
		{
			name: 'shared-not-to-commands',
			comment: 'commands/shared/ is what commands build on; it cannot depend on a command.',
			severity: 'error',
			from: {path: '^source/commands/shared/'},
			to: {path: '^source/commands/[^/]+$'},
		},
		{
			name: 'no-circular',
			comment: 'An import cycle means two modules are one concern split in two, or a dependency points the wrong way.',
			severity: 'error',
			from: {},
			to: {circular: true},
		},
		{
			name: 'source-not-to-test',
			comment: 'Shipped code never imports test helpers.',
			severity: 'error',
			from: {path: '^source/'},
			to: {path: '^test/'},
		},
		{
			name: 'not-to-unresolvable',
			comment: 'An import that resolves to nothing would fail at run time (a typo, or a missing dependency).',
			severity: 'error',
			from: {},
			to: {couldNotResolve: true},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		tsPreCompilationDeps: true,
		// `./x.js` in a NodeNext TypeScript file means `./x.ts` (or .tsx).
		// ESM-only packages (ink, meow) export under the `import` condition only.
		enhancedResolveOptions: {conditionNames: ['import', 'require', 'node', 'default'], exportsFields: ['exports'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json']},
		exclude: {path: '(^|/)\\.build/|(^|/)dist/'},
	},
};
