/**
 * Benchmark child: loads a model's tokenizer the way the engine does (Embedder.load: tokenizer and
 * model each in their own worker thread) or, for contrast, on this thread (`--main-thread`), and
 * prints the load time and the worst event-loop delay seen meanwhile as one JSON line.
 * Usage: node tokenizer-child.js <modelDir> [--main-thread]
 */
import {Embedder} from '../engine/embed/embedder.js';
import {TextTokenizer} from '../engine/embed/tokenize.js';
import {configureTransformers} from '../engine/embed/transformers-env.js';

const [directory, mode] = process.argv.slice(2) as [string, string | undefined];
const source = {kind: 'local', directory, modelId: 'bench'} as const;

// A 5 ms timer's lateness: monitorEventLoopDelay would only record a long block at its next tick.
let last = performance.now();
let worstMs = 0;
const timer = setInterval(() => {
	const now = performance.now();
	worstMs = Math.max(worstMs, now - last - 5);
	last = now;
}, 5);

const started = performance.now();
if (mode === '--main-thread') {
	await TextTokenizer.load(configureTransformers(source), 512);
} else {
	const embedder = await Embedder.load({source, device: 'cpu', maxTokens: 512});
	await embedder.close();
}

const loadMs = performance.now() - started;
await new Promise(resolve => setTimeout(resolve, 50));
clearInterval(timer);
process.stdout.write(`${JSON.stringify({loadMs, maxEventLoopDelayMs: worstMs})}\n`);
