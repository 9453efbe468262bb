// Lint configuration: typescript-eslint's recommended type-aware rules, zero warnings allowed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'media/**']},
	js.configs.recommended,
	...tseslint.configs.recommendedTypeChecked,
	{
		languageOptions: {
			parserOptions: {
				projectService: {allowDefaultProject: ['scripts/*.mjs', 'eslint.config.js']},
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
			'@typescript-eslint/consistent-type-imports': 'error',
			'@typescript-eslint/no-floating-promises': [
				'error',
				{allowForKnownSafeCalls: [{from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach']}]},
			],
			eqeqeq: ['error', 'smart'],
			'no-console': 'off',
		},
	},
	{
		// The editor-time half of the architecture rules (.dependency-cruiser.mjs holds all of them,
		// cycles included): the engine reaches neither the UI, the CLI, nor what builds on the engine.
		files: ['source/engine/**/*.{ts,tsx}'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{regex: '(^|/)(ui|commands)/|^(\\.\\./)+(cli|main)\\.js$', message: 'The engine never imports the UI or the CLI: emit a typed event, or let the command pass a function in.'},
						{regex: '(^|/)(demo|models|bench)/', message: 'The engine is what a migration needs: demo workspaces, generated models and the bench build on it, not in it.'},
					],
				},
			],
		},
	},
	{
		// Size: a source file over about 300 lines, or an engine function over about 60, is doing more
		// than one thing. A file that must be longer says why in an `eslint-disable max-lines -- why`
		// comment at its top.
		files: ['source/**/*.{ts,tsx}'],
		rules: {'max-lines': ['error', {max: 300, skipBlankLines: false, skipComments: false}]},
	},
	{
		files: ['source/engine/**/*.{ts,tsx}'],
		rules: {'max-lines-per-function': ['error', {max: 60, skipBlankLines: false, skipComments: false, IIFEs: true}]},
	},
	{
		files: ['scripts/**/*.mjs', 'eslint.config.js'],
		...tseslint.configs.disableTypeChecked,
		languageOptions: {globals: {console: 'readonly', process: 'readonly', URL: 'readonly'}},
	},
);
