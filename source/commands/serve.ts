/** `qwen3-migrate serve`: the workspace's target model behind an OpenAI-compatible embeddings API. */
import path from 'node:path';
import {exitCodes} from '../engine/errors.js';
import {serveWorkspace} from '../engine/serve/serve-workspace.js';
import {deviceNames} from '../engine/types.js';
import {openWorkspace} from '../engine/workspace.js';
import {detectCapabilities} from '../ui/terminal.js';
import {defineCommand} from './shared/define-command.js';
import {createDownloadPrinter} from './shared/download-printer.js';
import {debugFlag, integerIn, rejectArguments, workspaceFlag} from './shared/flags.js';

export const serveCommand = defineCommand({
	name: 'serve',
	summary: 'Serve the target model over the OpenAI-compatible embeddings API (for `migrate --endpoint` elsewhere)',
	usage: ['qwen3-migrate serve --port N [--host 127.0.0.1] [--bot-preprocess] [--workspace DIR]'],
	description: `
Loads the workspace's target model (memory_system.migration.target_model, weights as migrate
finds them, on CPU or CUDA) and answers POST /v1/embeddings, GET /v1/models and GET /health,
batching texts from concurrent requests by token budget (migration.max_batch_tokens). A GPU box
without Python can serve while the bot's box runs \`migrate --endpoint http://gpu-box:PORT/v1\`.
By default it embeds what it is sent, as vLLM and TEI do; --bot-preprocess applies the bot's
text rule (whitespace collapsed, 512 characters) first. Without --host it listens on 127.0.0.1
only. Ctrl-C (or SIGTERM) stops it after the requests in progress are answered.`,
	flags: {
		...workspaceFlag,
		port: {type: 'number', valueName: 'N', default: 8000, validate: integerIn('--port', 0, 65_535, 'e.g. --port 8000 (0 picks a free port)'), description: 'Port to listen on (0: any free port). Default: 8000'},
		host: {type: 'string', valueName: 'ADDRESS', default: '127.0.0.1', description: 'Address to listen on; 0.0.0.0 opens it to the network. Default: 127.0.0.1'},
		botPreprocess: {type: 'boolean', default: false, description: 'Apply the bot\'s text rule to every input before embedding'},
		device: {type: 'string', valueName: 'DEVICE', choices: deviceNames, description: 'auto, cpu or cuda (default: migration.device)'},
		...debugFlag,
	},
	notes: 'The server has no authentication: keep it on 127.0.0.1 or a private network.\nExit codes: 0 stopped by a signal, 1 failed, 2 usage or configuration error, 130 stopped during the model download.',
	examples: ['qwen3-migrate serve --port 8080 --workspace /srv/pigpig', 'qwen3-migrate serve --host 0.0.0.0 --port 8000 --device cuda'],
	async run({input, flags}, context) {
		rejectArguments(input);
		const workspace = openWorkspace(path.resolve(context.cwd, flags.workspace));
		// A model not on disk is downloaded first: its progress goes to stderr (stdout says when it serves).
		const printer = createDownloadPrinter(context.stderr, {unicode: detectCapabilities(context.env).unicode});
		let serving: Awaited<ReturnType<typeof serveWorkspace>>;
		try {
			serving = await serveWorkspace(workspace, {host: flags.host, port: flags.port, botPreprocess: flags.botPreprocess, device: flags.device, env: context.env, onDownload: progress => printer.update(progress), signal: context.signal});
		} catch (error) {
			if (!context.signal.aborted) {
				throw error;
			}

			printer.stop();
			context.stderr.write('stopped before serving: the model download resumes where it stopped on the next `qwen3-migrate serve` (or `download`)\n');
			return exitCodes.aborted;
		} finally {
			printer.stop();
		}

		context.stdout.write(`serving ${serving.modelId} (${serving.dimension}-d, ${serving.device}) at ${serving.url}${flags.botPreprocess ? ' with the bot\'s text rule' : ''}; Ctrl-C stops\n`);
		if (!context.signal.aborted) {
			await new Promise(resolve => context.signal.addEventListener('abort', resolve, {once: true}));
		}

		context.stdout.write('stopping: answering the requests in progress\n');
		await serving.close();
		context.stdout.write('stopped\n');
		return 0;
	},
});
