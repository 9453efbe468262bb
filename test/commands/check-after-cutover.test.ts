import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import {describe, it} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {demoWorkspace} from '../helpers/workspace.js';

type Item = {id: string; status: string; title: string; detail: string};

const sourceModel = 'sentence-transformers/paraphrase-multilingual-mpnet-base-v2';
const targetModel = 'Qwen/Qwen3-Embedding-0.6B';

function checkItems(root: string): Item[] {
	const result = runCli(['check', '--workspace', root, '--json']);
	return (JSON.parse(result.stdout) as {items: Item[]}).items;
}

describe('check after a cut-over', () => {
	it('names the old model as the source (not the bot\'s new one) and says the migration is done', async () => {
		const paths = await demoWorkspace();
		const migrated = runCli(['migrate', '--workspace', paths.root, '--yes', '--no-ui']);
		assert.equal(migrated.status, 0, migrated.stderr);
		const items = checkItems(paths.root);
		const source = items.find(item => item.id === 'model-source')!;
		assert.ok(!source.title.includes(targetModel), `the source model is labelled with the target: ${source.title}`);
		assert.match(source.title, new RegExp(`^source model ${sourceModel}`));
		assert.equal(source.status, 'ok');
		assert.match(source.detail, /migration done: the bot uses Qwen\/Qwen3-Embedding-0\.6B; the source model is no longer needed/);
		const migration = items.find(item => item.id === 'migration')!;
		assert.match(migration.detail, new RegExp(`^done: cut over from ${sourceModel} to ${targetModel.replace('.', '\\.')} at \\d{4}-\\d\\d-\\d\\d`));
	});

	it('names no source model when the bot was set up with the target model and nothing was migrated', async () => {
		const paths = await demoWorkspace();
		const settings = JSON.parse(readFileSync(paths.settings, 'utf8')) as {memory_system: Record<string, unknown>};
		settings.memory_system.embedding_model = targetModel;
		settings.memory_system.profile = 'qwen3_high_performance';
		writeFileSync(paths.settings, JSON.stringify(settings, undefined, 2));
		const source = checkItems(paths.root).find(item => item.id === 'model-source')!;
		assert.equal(source.title, 'source model');
		assert.equal(source.detail, `none: the bot already uses the target model ${targetModel}`);
	});

	it('before the migration labels the bot\'s current model as the source, as always', async () => {
		const paths = await demoWorkspace();
		const source = checkItems(paths.root).find(item => item.id === 'model-source')!;
		assert.match(source.title, new RegExp(`^source model ${sourceModel} \\(dtype`));
		assert.match(source.detail, /^local directory /);
	});
});
