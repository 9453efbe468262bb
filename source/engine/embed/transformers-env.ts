/** Points transformers.js at one model source; each thread that loads a model calls this first. */
import path from 'node:path';
import {env, LogLevel} from '@huggingface/transformers';
import type {ModelSource} from './model-source.js';

/** Returns the id to pass to from_pretrained for this source. */
export function configureTransformers(source: ModelSource): string {
	env.logLevel = LogLevel.ERROR;
	if (source.kind === 'local') {
		env.allowRemoteModels = false;
		env.allowLocalModels = true;
		env.localModelPath = `${path.dirname(source.directory)}${path.sep}`;
		return path.basename(source.directory);
	}

	env.allowLocalModels = false;
	env.allowRemoteModels = true;
	env.remoteHost = source.endpoint;
	env.useFSCache = true;
	env.cacheDir = source.cacheDir;
	return source.repository;
}
