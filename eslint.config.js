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
		files: ['scripts/**/*.mjs', 'eslint.config.js'],
		...tseslint.configs.disableTypeChecked,
		languageOptions: {globals: {console: 'readonly', process: 'readonly', URL: 'readonly'}},
	},
);
